// PSL: being written.
