"""Language server (pygls): the same engine behind editor diagnostics."""
