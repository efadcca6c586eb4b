import Foundation

/// Locates the executables SwiftPM built beside the test bundle.
public enum BuiltProducts {
    /// The build products directory (`.build/<triple>/debug` or `release`).
    public static var directory: String {
        if let override = ProcessInfo.processInfo.environment["THREADKEEPER_PRODUCTS"] { return override }
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append((exe as NSString).deletingLastPathComponent)
        }
        candidates.append((CommandLine.arguments[0] as NSString).deletingLastPathComponent)
        for candidate in candidates {
            var dir = candidate
            // The test binary may sit inside `X.xctest/` bundles on some layouts.
            for _ in 0..<4 {
                if FileManager.default.isExecutableFile(atPath: dir + "/threadkeeper") { return dir }
                dir = (dir as NSString).deletingLastPathComponent
            }
        }
        preconditionFailure("cannot find the built threadkeeper binary near \(candidates)")
    }

    public static var threadkeeper: String { directory + "/threadkeeper" }
    public static var emulator: String { directory + "/threadkeeper-emulator" }
}
