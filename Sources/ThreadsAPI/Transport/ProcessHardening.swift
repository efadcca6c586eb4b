import CProcess
import Foundation

/// What the executables do to themselves before anything else, because they hold the API key.
public enum ProcessHardening {
    /// Turns core dumps off and makes the environment safe for the HTTP transport.
    ///
    /// `prctl(PR_SET_DUMPABLE, 0)`: "the process is not dumpable": no core file holds the key
    /// from memory (whatever `LimitCORE=` or `ulimit -c` say), another process of the same
    /// user cannot ptrace it, and its `/proc/PID` files belong to root. Then
    /// `TransportEnvironment.secure()`: no proxy for loopback, no header-printing debug
    /// variables. Call it first thing in `main`, before any thread starts.
    public static func apply() {
        _ = threadkeeper_set_dumpable(0)
        TransportEnvironment.secure()
    }
}
