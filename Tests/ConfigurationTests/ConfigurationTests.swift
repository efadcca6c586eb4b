import Emulator
import Rules
import Schedule
import TestSupport
import Testing
import ThreadsAPI
import UnitFile

@testable import Configuration

struct ConfigurationTests {
    @Test func defaults() {
        let configuration = Configuration()
        #expect(configuration.provider.value == .aimlapi)
        #expect(configuration.baseURL.value == "https://api.aimlapi.com")
        #expect(configuration.requestsPerSecond.value == 5 && configuration.burst.value == nil && configuration.concurrency.value == 8)
        #expect(configuration.timeout.value == TimeSpan.seconds(30))
        #expect(configuration.hold == Setting("legal_hold"))
        #expect(configuration.rulesDirectory.value == "/etc/threadkeeper/rules.d")
        #expect(configuration.ledgerPath.value == nil)
        #expect(configuration.runMissed.value == true)
        #expect(configuration.allowInsecure.value == false)
        #expect(configuration.headers.value.isEmpty)
    }

    @Test func readsEveryKeyWithItsLine() {
        let text = """
            [API]
            Provider=openai
            ApiKeyFile=/etc/threadkeeper/api-key
            # the account's budget
            RequestsPerSecond=2.5
            Burst=3
            Concurrency=4
            Timeout=1min 30s
            UserAgent=acme-retention/1.0
            Header=X-Team: platform
            AllowInsecure=no

            [Ledger]
            Path=/srv/threadkeeper/ledger.sqlite3

            [Rules]
            Directory=/srv/threadkeeper/rules.d
            Hold=custody

            [Daemon]
            RunMissed=no
            """
        let (configuration, diagnostics) = Configuration.parse(text: text, file: "/etc/threadkeeper/threadkeeper.conf")
        #expect(diagnostics.isEmpty)
        let at = { (line: Int) in SettingOrigin.file(SourceLocation(file: "/etc/threadkeeper/threadkeeper.conf", line: line, column: 1)) }
        #expect(configuration.provider == Setting(.openai, at(2)))
        #expect(configuration.baseURL == Setting("https://api.openai.com/v1", at(2)))
        #expect(configuration.apiKeyFile == Setting("/etc/threadkeeper/api-key", at(3)))
        #expect(configuration.requestsPerSecond == Setting(2.5, at(5)))
        #expect(configuration.burst == Setting(3, at(6)))
        #expect(configuration.concurrency == Setting(4, at(7)))
        #expect(configuration.timeout == Setting(TimeSpan.seconds(90), at(8)))
        #expect(configuration.userAgent == Setting("acme-retention/1.0", at(9)))
        #expect(
            configuration.headers
                == Setting(
                    [
                        Configuration.Header(name: "OpenAI-Beta", value: "assistants=v2"),
                        Configuration.Header(name: "X-Team", value: "platform"),
                    ], at(10)))
        #expect(configuration.allowInsecure == Setting(false, at(11)))
        #expect(configuration.ledgerPath == Setting("/srv/threadkeeper/ledger.sqlite3", at(14)))
        #expect(configuration.rulesDirectory == Setting("/srv/threadkeeper/rules.d", at(17)))
        #expect(configuration.hold == Setting("custody", at(18)))
        #expect(configuration.runMissed == Setting(false, at(21)))
        #expect(configuration.budget == RuleBudget(requestsPerSecond: 2.5, concurrency: 4))
        #expect(configuration.file == "/etc/threadkeeper/threadkeeper.conf")
    }

    @Test func emptyHeaderResetsProviderHeaders() {
        let (configuration, diagnostics) = Configuration.parse(text: "[API]\nProvider=openai\nHeader=\nHeader=A: b\n", file: "c")
        #expect(diagnostics.isEmpty)
        #expect(configuration.headers.value == [Configuration.Header(name: "A", value: "b")])
    }

    @Test func customProviderWithLoopbackHTTP() {
        let (configuration, diagnostics) = Configuration.parse(
            text: "[API]\nProvider=custom\nBaseURL=http://127.0.0.1:8080/\n", file: "c")
        #expect(diagnostics.isEmpty)
        #expect(configuration.baseURL.value == "http://127.0.0.1:8080")
        let insecure = Configuration.parse(text: "[API]\nBaseURL=http://threads.internal\nAllowInsecure=yes\n", file: "c")
        #expect(insecure.1.isEmpty)
        #expect(insecure.0.baseURL.value == "http://threads.internal")
    }

    static let fixtures: [(String, String)] = [
        ("[API]\nProvider=‸aimlap\n", "unknown provider `aimlap` for `Provider=`; did you mean `aimlapi`?"),
        ("[API]\nProvider=‸azure\n", "unknown provider `azure` for `Provider=`; valid providers are: aimlapi, openai, custom"),
        (
            "[API]\n‸Provider=custom\n", "`Provider=custom` needs `BaseURL=` in [API], such as `BaseURL=https://threads.example.com`"
        ),
        (
            "[API]\nBaseURL=‸ftp://x\n",
            "`BaseURL=` takes an http or https URL without query, such as `https://api.aimlapi.com`, got `ftp://x`"
        ),
        (
            "[API]\nBaseURL=‸http://threads.example.com\n",
            "`BaseURL=http://threads.example.com` sends the API key unencrypted to `threads.example.com`; use https, or set `AllowInsecure=yes` if you must"
        ),
        ("[API]\nApiKeyFile=‸api-key\n", "`ApiKeyFile=` takes an absolute path, got `api-key`"),
        ("[API]\nRequestsPerSecond=‸0\n", "`RequestsPerSecond=` takes a number above 0, such as `5` or `0.5`, got `0`"),
        ("[API]\nBurst=‸-2\n", "`Burst=` takes a whole number above 0, got `-2`"),
        ("[API]\nConcurrency=‸many\n", "`Concurrency=` takes a whole number above 0, got `many`"),
        ("[API]\nTimeout=‸0\n", "`Timeout=` must be longer than 0, got `0`"),
        ("[API]\nTimeout=‸5 fortnights\n", "`Timeout=` takes a time span: …"),
        ("[API]\nUserAgent=‸bell\u{7}\n", "`UserAgent=` takes printable text, got `bell\u{7}`"),
        ("[API]\nHeader=‸X-Team platform\n", "`Header=` takes `Name: value`, got `X-Team platform`"),
        ("[API]\nHeader=‸X Team: platform\n", "invalid header name `X Team` in `Header=`; a name is letters, digits and `-`"),
        (
            "[API]\nHeader=‸Authorization: Bearer x\n",
            "`Header=` cannot set `Authorization`; the API key comes from the credential, `ApiKeyFile=` or THREADKEEPER_API_KEY"
        ),
        ("[API]\nAllowInsecure=‸perhaps\n", "`AllowInsecure=` takes a boolean (yes or no), got `perhaps`"),
        ("[Ledger]\nPath=‸ledger.sqlite3\n", "`Path=` takes an absolute path, got `ledger.sqlite3`"),
        ("[Rules]\nDirectory=‸rules.d\n", "`Directory=` takes an absolute path, got `rules.d`"),
        (
            "[Rules]\nHold=‸" + String(repeating: "h", count: 65) + "\n",
            "`Hold=` takes a metadata key of at most 64 characters, got `\(String(repeating: "h", count: 65))`"
        ),
        ("[Daemon]\nRunMissed=‸later\n", "`RunMissed=` takes a boolean (yes or no), got `later`"),
        ("[Daemon]\n‸Persistent=yes\n", "unknown key `Persistent` in [Daemon]; valid keys are: RunMissed"),
        (
            "[Metrics]\nTextfileDirectory=‸prom\n",
            "`TextfileDirectory=` takes an absolute path, such as `/var/lib/prometheus/node-exporter`, got `prom`"
        ),
        ("[Metrics]\nInterval=‸500ms\n", "`Interval=` must be at least 1s, got `500ms`"),
        ("[Metrics]\nInterval=‸often\n", "`Interval=` takes a time span such as `60s` or `5min`: …"),
        ("[Metrics]\n‸Directory=/x\n", "unknown key `Directory` in [Metrics]; valid keys are: TextfileDirectory, Interval"),
        ("‸[Threads]\n", "unknown section `[Threads]`; valid sections are: [API], [Ledger], [Rules], [Daemon], [Metrics]"),
    ]

    @Test(arguments: fixtures)
    func messageIsLocated(fixture: String, message: String) {
        let marked = MarkedFixture(fixture)
        let (_, diagnostics) = Configuration.parse(text: marked.text, file: "t.conf")
        #expect(diagnostics.count == 1, "\(diagnostics)")
        guard let diagnostic = diagnostics.first else { return }
        #expect(diagnostic.line == marked.line && diagnostic.column == marked.column, "\(diagnostic)")
        #expect(diagnostic.severity == .error)
        if message.hasSuffix("…") {
            #expect(diagnostic.message.hasPrefix(String(message.dropLast())), "\(diagnostic.message)")
        } else {
            #expect(diagnostic.message == message)
        }
    }

    @Test func metricsAreOffUntilADirectoryIsNamed() {
        let (defaults, none) = Configuration.parse(text: "", file: "t.conf")
        #expect(none.isEmpty)
        #expect(defaults.metricsDirectory.value == nil)
        #expect(defaults.metricsInterval.value.seconds == 60)
        let (configuration, diagnostics) = Configuration.parse(
            text: "[Metrics]\nTextfileDirectory=/var/lib/prometheus/node-exporter\nInterval=5min\n", file: "t.conf")
        #expect(diagnostics.isEmpty)
        #expect(configuration.metricsDirectory.value == "/var/lib/prometheus/node-exporter")
        #expect(configuration.metricsDirectory.origin.description == "t.conf:2")
        #expect(configuration.metricsInterval.value.seconds == 300)
    }

    @Test func missingFileIsAFinding() {
        let (_, diagnostics) = Configuration.load(path: "/nonexistent/threadkeeper.conf")
        #expect(
            diagnostics.map(\.description) == [
                "/nonexistent/threadkeeper.conf: error: cannot read the config file; check that it exists and is readable"
            ])
    }

    /// The `[API]` section and the client agree: the file's provider is the client's, with its
    /// base URL and headers, and the defaults are the client's own.
    @Test func theAPISectionIsTheClientsConfiguration() throws {
        #expect(Configuration().apiConfiguration() == APIConfiguration(baseURL: APIProvider.aimlapi.defaultBaseURL))
        for provider in APIProvider.allCases where provider != .custom {
            let (configuration, diagnostics) = Configuration.parse(text: "[API]\nProvider=\(provider.rawValue)\n", file: "c")
            #expect(diagnostics.isEmpty)
            let settings = configuration.apiConfiguration()
            #expect(settings.provider == provider)
            let resolved = try settings.resolved()
            #expect(resolved.baseURL == provider.defaultBaseURL)
            #expect(resolved.headers.map { "\($0.0): \($0.1)" } == configuration.headers.value.map(\.description))
        }
    }

    /// Mutated config files: no trap, and every finding points into the file.
    @Test func mutatedConfigFilesExplainWithinTheFile() {
        let sample = Array(
            """
            [API]
            Provider=openai
            BaseURL=http://127.0.0.1:8080/v1
            RequestsPerSecond=2.5
            Burst=3
            Timeout=1min 30s
            Header=X-Team: platform
            [Rules]
            Hold=legal_hold
            [Metrics]
            Interval=5min

            """.utf8)
        let alphabet = Array("[]=:#;! \t\n/.-0123456789APIhtpsRulesOpenaicustom".utf8)
        var random = SplitMix64(seed: 11)
        var clean = 0
        for _ in 0..<2000 {
            var bytes = sample
            for _ in 0..<(1 + random.below(4)) {
                let position = random.below(bytes.count)
                switch random.below(3) {
                case 0: bytes.insert(alphabet[random.below(alphabet.count)], at: position)
                case 1: bytes.remove(at: position)
                default: bytes[position] = alphabet[random.below(alphabet.count)]
                }
            }
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
            let (_, diagnostics) = Configuration.parse(bytes: bytes, file: "fuzz.conf")
            if diagnostics.isEmpty { clean += 1 }
            for diagnostic in diagnostics {
                #expect(diagnostic.file == "fuzz.conf" && (1...lines).contains(diagnostic.line), "\(diagnostic)")
            }
        }
        #expect(clean > 100)
    }
}
