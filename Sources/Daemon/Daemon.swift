/// The Daemon module; see ../shared/DESIGN.md for what it owns.
public enum DaemonModule {}
