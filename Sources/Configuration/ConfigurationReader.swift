import Foundation
import Schedule
import ThreadsAPI
import UnitFile

extension Configuration {
    /// The sections and keys of `threadkeeper.conf`.
    public static let schema = UnitFileSchema([
        .init(
            "API",
            keys: [
                .init("Provider"), .init("BaseURL"), .init("ApiKeyFile"), .init("RequestsPerSecond"), .init("Burst"),
                .init("Concurrency"), .init("Timeout"), .init("UserAgent"), .init("Header", repeatable: true),
                .init("AllowInsecure"),
            ]),
        .init("Ledger", keys: [.init("Path")]),
        .init("Rules", keys: [.init("Directory"), .init("Hold")]),
        .init("Daemon", keys: [.init("RunMissed")]),
        .init("Metrics", keys: [.init("TextfileDirectory"), .init("Interval")]),
    ])

    /// Reads config bytes over the defaults; returns the configuration and every finding.
    public static func parse(bytes: [UInt8], file: String) -> (Configuration, [Diagnostic]) {
        let (document, syntax) = UnitFile.parse(bytes: bytes, file: file)
        var reader = ConfigurationReader(document: document)
        reader.diagnostics = syntax + schema.check(document)
        var configuration = reader.read()
        configuration.file = file
        return (configuration, reader.diagnostics)
    }

    public static func parse(text: String, file: String) -> (Configuration, [Diagnostic]) {
        parse(bytes: Array(text.utf8), file: file)
    }

    /// Reads a config file; nil bytes mean the file could not be read.
    public static func load(path: String) -> (Configuration, [Diagnostic]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            return (Configuration(), [.whole(path, UnreadableFile.message(path, kind: "config file"))])
        }
        return parse(bytes: Array(data), file: path)
    }
}

struct ConfigurationReader {
    let document: UnitFileDocument
    var diagnostics: [Diagnostic] = []

    private mutating func error(_ entry: UnitFileEntry, offset: Int = 0, _ message: String) {
        diagnostics.append(Diagnostic(at: entry.location(atValueOffset: offset), message))
    }

    private func origin(_ entry: UnitFileEntry) -> SettingOrigin { .file(entry.keyLocation) }

    private mutating func read<Value>(
        _ key: String, in section: String, into setting: inout Setting<Value>, expected: String,
        _ convert: (String) -> Value?
    ) {
        guard let entry = document.value(key, in: section) else { return }
        guard let value = convert(entry.value) else {
            error(entry, "`\(key)=` takes \(expected), got `\(entry.value)`")
            return
        }
        setting = Setting(value, origin(entry))
    }

    /// For settings whose default is "unset".
    private mutating func read<Value>(
        _ key: String, in section: String, into setting: inout Setting<Value?>, expected: String,
        _ convert: (String) -> Value?
    ) {
        guard let entry = document.value(key, in: section) else { return }
        guard let value = convert(entry.value) else {
            error(entry, "`\(key)=` takes \(expected), got `\(entry.value)`")
            return
        }
        setting = Setting(value, origin(entry))
    }

    private static func absolutePath(_ text: String) -> String? { text.hasPrefix("/") ? text : nil }

    mutating func read() -> Configuration {
        var configuration = Configuration()
        if let entry = document.value("Provider", in: "API") {
            if let provider = APIProvider(rawValue: entry.value) {
                configuration.provider = Setting(provider, origin(entry))
            } else {
                let hint = Spelling.hint(for: entry.value, among: APIProvider.allCases.map(\.rawValue), kind: "providers")
                error(entry, "unknown provider `\(entry.value)` for `Provider=`\(hint)")
            }
        }
        let provider = configuration.provider
        configuration.baseURL = Setting(provider.value.defaultBaseURL ?? "", provider.origin)
        configuration.headers = Setting(Configuration.headers(of: provider.value), provider.origin)
        read("AllowInsecure", in: "API", into: &configuration.allowInsecure, expected: "a boolean (yes or no)", ValueParsers.boolean)
        readBaseURL(&configuration)
        read("ApiKeyFile", in: "API", into: &configuration.apiKeyFile, expected: "an absolute path", Self.absolutePath)
        read(
            "RequestsPerSecond", in: "API", into: &configuration.requestsPerSecond, expected: "a number above 0, such as `5` or `0.5`",
            ValueParsers.positiveNumber)
        read("Burst", in: "API", into: &configuration.burst, expected: "a whole number above 0", ValueParsers.positiveInteger)
        read("Concurrency", in: "API", into: &configuration.concurrency, expected: "a whole number above 0", ValueParsers.positiveInteger)
        if let entry = document.value("Timeout", in: "API") {
            do {
                let span = try TimeSpan.parse(entry.value)
                if span.microseconds > 0 {
                    configuration.timeout = Setting(span, origin(entry))
                } else {
                    error(entry, "`Timeout=` must be longer than 0, got `\(entry.value)`")
                }
            } catch {
                self.error(entry, "`Timeout=` takes a time span: \(error)")
            }
        }
        read("UserAgent", in: "API", into: &configuration.userAgent, expected: "printable text") { text in
            text.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F } ? text : nil
        }
        readHeaders(&configuration)
        read("Path", in: "Ledger", into: &configuration.ledgerPath, expected: "an absolute path", Self.absolutePath)
        read("Directory", in: "Rules", into: &configuration.rulesDirectory, expected: "an absolute path", Self.absolutePath)
        read("Hold", in: "Rules", into: &configuration.hold, expected: "a metadata key of at most 64 characters") {
            $0.unicodeScalars.count <= MetadataLimits.maximumKeyLength ? $0 : nil
        }
        read("RunMissed", in: "Daemon", into: &configuration.runMissed, expected: "a boolean (yes or no)", ValueParsers.boolean)
        read(
            "TextfileDirectory", in: "Metrics", into: &configuration.metricsDirectory,
            expected: "an absolute path, such as `/var/lib/prometheus/node-exporter`", Self.absolutePath)
        if let entry = document.value("Interval", in: "Metrics") {
            do {
                let span = try TimeSpan.parse(entry.value)
                if span.seconds >= 1 {
                    configuration.metricsInterval = Setting(span, origin(entry))
                } else {
                    error(entry, "`Interval=` must be at least 1s, got `\(entry.value)`")
                }
            } catch {
                self.error(entry, "`Interval=` takes a time span such as `60s` or `5min`: \(error)")
            }
        }
        return configuration
    }

    private mutating func readBaseURL(_ configuration: inout Configuration) {
        guard let entry = document.value("BaseURL", in: "API") else {
            if configuration.provider.value == .custom {
                let location = document.value("Provider", in: "API")?.keyLocation ?? SourceLocation(file: document.file, line: 1, column: 1)
                diagnostics.append(
                    Diagnostic(at: location, "`Provider=custom` needs `BaseURL=` in [API], such as `BaseURL=https://threads.example.com`"))
            }
            return
        }
        var text = entry.value
        while text.hasSuffix("/") { text.removeLast() }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil
        else {
            error(entry, "`BaseURL=` takes an http or https URL without query, such as `https://api.aimlapi.com`, got `\(entry.value)`")
            return
        }
        if scheme == "http", !APIConfiguration.isLoopback(host: host), !configuration.allowInsecure.value {
            error(
                entry,
                "`BaseURL=\(entry.value)` sends the API key unencrypted to `\(host)`; use https, or set `AllowInsecure=yes` if you must")
            return
        }
        configuration.baseURL = Setting(text, origin(entry))
    }

    private mutating func readHeaders(_ configuration: inout Configuration) {
        let entries = document.values("Header", in: "API")
        guard !entries.isEmpty || !document.assignments("Header", in: "API").isEmpty else { return }
        // An empty `Header=` resets the list, the provider's headers included.
        let reset = document.assignments("Header", in: "API").contains { $0.value.isEmpty }
        var headers = reset ? [] : configuration.headers.value
        let tokenCharacters = Set("!#$%&'*+-.^_`|~".unicodeScalars)
        for entry in entries {
            guard let colon = entry.value.firstIndex(of: ":") else {
                error(entry, "`Header=` takes `Name: value`, got `\(entry.value)`")
                continue
            }
            let name = entry.value[..<colon].trimmingCharacters(in: .whitespaces)
            let value = entry.value[entry.value.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            let validName =
                !name.isEmpty
                && name.unicodeScalars.allSatisfy {
                    $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || tokenCharacters.contains($0))
                }
            guard validName else {
                error(entry, "invalid header name `\(name)` in `Header=`; a name is letters, digits and `-`")
                continue
            }
            guard value.unicodeScalars.allSatisfy({ $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) }) else {
                error(entry, "the value of header `\(name)` holds control characters")
                continue
            }
            if name.lowercased() == "authorization" {
                error(
                    entry,
                    "`Header=` cannot set `Authorization`; the API key comes from the credential, `ApiKeyFile=` or THREADKEEPER_API_KEY")
                continue
            }
            headers.removeAll { $0.name.lowercased() == name.lowercased() }
            headers.append(Configuration.Header(name: name, value: value))
        }
        let last = document.assignments("Header", in: "API").last!
        configuration.headers = Setting(headers, origin(last))
    }
}
