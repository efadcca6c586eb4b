/// The Ledger module; see ../shared/DESIGN.md for what it owns.
public enum LedgerModule {}
