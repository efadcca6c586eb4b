import Foundation

/// The bearer key; its description, debug description and mirror never show it.
///
/// Only `ThreadsClient` reads the value, to build the `Authorization` header.
public struct APIKey: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Where the key was found, for messages (`credential`, `file /etc/…`, `environment`).
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        case credential(path: String)
        case file(path: String)
        case environment(variable: String)
        case literal

        public var description: String {
            switch self {
            case .credential(let path): return "systemd credential \(path)"
            case .file(let path): return "key file \(path)"
            case .environment(let variable): return "$\(variable)"
            case .literal: return "a literal key"
            }
        }
    }

    let value: String
    public let source: Source

    /// A key from text; trailing whitespace and newlines are dropped.
    ///
    /// Throws when what is left is empty or holds whitespace or control characters (which
    /// would break the header), without quoting the text.
    public init(_ text: String, source: Source = .literal) throws {
        var trimmed = Substring(text)
        while let last = trimmed.last, last.isWhitespace || last.isNewline { trimmed.removeLast() }
        guard !trimmed.isEmpty else {
            throw APIKeyError(message: "the api key from \(source) is empty")
        }
        guard trimmed.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F }) else {
            throw APIKeyError(
                message: "the api key from \(source) contains spaces, control or non-ascii characters; it must be one word")
        }
        value = String(trimmed)
        self.source = source
    }

    public var description: String { "APIKey(redacted, from \(source))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["source": source], displayStyle: .struct) }

    /// The environment variable read when no credential or key file is set.
    public static let environmentVariable = "THREADKEEPER_API_KEY"

    /// Loads the key the way the service does: `$CREDENTIALS_DIRECTORY/api-key` (systemd
    /// `LoadCredential=`), else `keyFile` (`ApiKeyFile=`, refused when group or others may
    /// read it), else `$THREADKEEPER_API_KEY`.
    public static func load(environment: [String: String], keyFile: String?) throws -> APIKey {
        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            let path = directory + "/api-key"
            if FileManager.default.fileExists(atPath: path) {
                return try APIKey(readFile(path), source: .credential(path: path))
            }
        }
        if let keyFile, !keyFile.isEmpty {
            var info = stat()
            guard stat(keyFile, &info) == 0 else {
                throw APIKeyError(
                    message: "cannot read api key file '\(keyFile)': \(String(cString: strerror(errno))); check ApiKeyFile= in [API]")
            }
            let mode = info.st_mode & 0o777
            if mode & 0o044 != 0 {
                throw APIKeyError(
                    message:
                        "api key file '\(keyFile)' is readable by group or others (mode \(String(mode, radix: 8))); run 'chmod 600 \(keyFile)'"
                )
            }
            return try APIKey(readFile(keyFile), source: .file(path: keyFile))
        }
        if let text = environment[environmentVariable], !text.isEmpty {
            return try APIKey(text, source: .environment(variable: environmentVariable))
        }
        throw APIKeyError(
            message:
                "no api key: set LoadCredential=api-key:… in the unit, ApiKeyFile= in [API] of the config, or $\(environmentVariable)"
        )
    }

    /// The file `LoadCredential=api-key:…` names in the units scripts/install writes.
    public static let defaultCredentialSource = "/etc/threadkeeper/api-key"

    /// Why the file behind the key may be read by group or others, naming it and the fix; nil
    /// when it may not, or when `load` refuses it anyway.
    ///
    /// A key from `$CREDENTIALS_DIRECTORY` is a copy systemd made readable by the service
    /// alone, so `load` never sees the mode of the file it was copied from. That file is
    /// `ApiKeyFile=` when the config names one, else `credentialSource` (what the units load).
    public static func exposure(
        environment: [String: String], keyFile: String?, credentialSource: String = defaultCredentialSource
    ) -> String? {
        guard let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty else { return nil }
        let credential = directory + "/api-key"
        guard FileManager.default.fileExists(atPath: credential) else { return nil }
        let source = keyFile.flatMap { $0.isEmpty ? nil : $0 } ?? credentialSource
        for path in [source, credential] {
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            let mode = info.st_mode & 0o777
            guard mode & 0o044 != 0 else { continue }
            let what =
                path == credential
                ? "systemd credential '\(path)'" : "api key file '\(path)' (the source of systemd credential '\(credential)')"
            return "\(what) is readable by group or others (mode \(String(mode, radix: 8))); run 'chmod 600 \(path)'"
        }
        return nil
    }

    static func readFile(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw APIKeyError(message: "cannot read api key file '\(path)'; check that it exists and this user may read it")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw APIKeyError(message: "api key file '\(path)' is not utf-8 text")
        }
        return text
    }
}

/// The key could not be loaded; the message names the file or variable, never the key.
public struct APIKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
