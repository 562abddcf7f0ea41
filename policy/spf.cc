// SPF: being written.
