// DMARC: being written.
