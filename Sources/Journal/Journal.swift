/// The Journal module; see ../shared/DESIGN.md for what it owns.
public enum JournalModule {}
