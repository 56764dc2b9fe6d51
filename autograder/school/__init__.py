"""School administration: class lists (CSV, OneRoster), hub accounts and the hub's configuration, deadlines, the exchange and the course owner."""
