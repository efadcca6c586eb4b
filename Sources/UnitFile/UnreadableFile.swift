import Foundation

/// The finding for a rule or config file that could not be read.
public enum UnreadableFile {
    /// Names a directory as such (the usual slip: a rules directory passed as `--config`);
    /// anything else is missing or unreadable.
    public static func message(_ path: String, kind: String) -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return "the \(kind) is a directory; name a file"
        }
        return "cannot read the \(kind); check that it exists and is readable"
    }
}
