"""Storage adapters: where committed blocks and state live. The core never imports these."""
