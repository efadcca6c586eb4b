import Foundation
import Journal
import TestSupport
import Testing

/// The shipped systemd units pass `systemd-analyze verify` silently, rate 2.0 or better in
/// `systemd-analyze security --offline=yes`, and `scripts/install` puts everything where the
/// units expect it.
@Suite struct ServiceUnitTests {
    static let analyze = "/usr/bin/systemd-analyze"

    static var repository: String {
        var directory = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { directory.deleteLastPathComponent() }
        return directory.path
    }

    static func unit(_ name: String) throws -> String {
        try String(contentsOfFile: repository + "/systemd/" + name, encoding: .utf8)
    }

    /// The values of `key` in a unit's text, in order.
    static func values(_ key: String, in text: String) -> [String] {
        text.split(separator: "\n").filter { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
    }

    /// Copies of the units in a temp dir, ExecStart= pointing at the built binary (verify checks
    /// that the executable exists), the run template instantiated for rule `stale-support`, the
    /// account template for account `acme`.
    static func preparedUnits() throws -> (directory: TemporaryDirectory, files: [String]) {
        let directory = TemporaryDirectory()
        var files: [String] = []
        for (source, target) in [
            ("threadkeeper.service", "threadkeeper.service"), ("threadkeeper-run@.service", "threadkeeper-run@stale-support.service"),
            ("threadkeeper-import.service", "threadkeeper-import.service"), ("threadkeeper-import.path", "threadkeeper-import.path"),
            ("threadkeeper@.service", "threadkeeper@acme.service"),
        ] {
            let text = try unit(source).replacingOccurrences(
                of: "ExecStart=/usr/bin/threadkeeper ", with: "ExecStart=\(BuiltProducts.threadkeeper) ")
            files.append(try directory.write(target, text))
        }
        return (directory, files)
    }

    func requireAnalyze() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.analyze) else {
            try Test.cancel("systemd-analyze is not installed (Debian package systemd)")
        }
    }

    @Test func theServiceIsANotifyServiceWithWatchdogReloadCredentialAndTheSysusersUser() throws {
        let text = try Self.unit("threadkeeper.service")
        #expect(Self.values("Type", in: text) == ["notify"])
        #expect(Self.values("ExecStart", in: text) == ["/usr/bin/threadkeeper daemon"])
        #expect(Self.values("ExecReload", in: text) == ["/bin/kill -HUP $MAINPID"])
        #expect(Self.values("WatchdogSec", in: text).count == 1)
        #expect(Self.values("Restart", in: text) == ["on-failure"])
        #expect(Self.values("StateDirectory", in: text) == ["threadkeeper"])
        #expect(Self.values("ConfigurationDirectory", in: text) == ["threadkeeper"])
        #expect(Self.values("LoadCredential", in: text) == ["api-key:/etc/threadkeeper/api-key"])
        // A fixed user from sysusers.d, so admin commands can run as the same user.
        #expect(Self.values("DynamicUser", in: text).isEmpty)
        #expect(Self.values("User", in: text) == ["threadkeeper"])
        #expect(Self.values("Group", in: text) == ["threadkeeper"])
        let sysusers = try String(contentsOfFile: Self.repository + "/systemd/threadkeeper.sysusers", encoding: .utf8)
        #expect(
            sysusers.split(separator: "\n").filter { !$0.hasPrefix("#") } == [
                #"u threadkeeper - "threadkeeper retention daemon" /var/lib/threadkeeper"#, "g threadkeeper-spool -",
            ])
        #expect(Self.values("IPAddressDeny", in: text) == ["link-local multicast"])
        #expect(Self.values("SocketBindDeny", in: text) == ["any"])
        #expect(Self.values("PrivateIPC", in: text) == ["yes"])
        #expect(Self.values("SystemCallFilter", in: text) == ["@system-service", "~@privileged @resources"])
        #expect(Self.values("RestrictAddressFamilies", in: text) == ["AF_UNIX AF_INET AF_INET6"])
        #expect(Self.values("CapabilityBoundingSet", in: text) == [""])
    }

    @Test func theOneOffUnitRunsItsInstanceWithTheSameSandboxAndStopsCleanly() throws {
        let service = try Self.unit("threadkeeper.service")
        let run = try Self.unit("threadkeeper-run@.service")
        #expect(Self.values("ExecStart", in: run) == ["/usr/bin/threadkeeper run --yes -- %i"])
        #expect(Self.values("SuccessExitStatus", in: run) == ["143"])
        // `systemctl start threadkeeper-run@RULE` waits for the run and fails with it.
        #expect(Self.values("Type", in: run) == ["oneshot"])
        #expect(Self.values("TimeoutStartSec", in: run) == ["infinity"])
        // Everything from StateDirectory= on (credential, user, sandbox) is the daemon's.
        func sandbox(_ text: String) -> [String] {
            let service = text.components(separatedBy: "[Install]")[0]
            let lines = service.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && $0.contains("=") }
            let start = lines.firstIndex { $0.hasPrefix("StateDirectory=") } ?? lines.endIndex
            return Array(lines[start...])
        }
        #expect(!sandbox(run).isEmpty)
        #expect(sandbox(run) == sandbox(service))
        #expect(Self.values("User", in: run) == Self.values("User", in: service))
    }

    /// One daemon per account: the account's config, rules, key, state and runtime directories,
    /// its instance in every journal entry, and the daemon's service settings, user and sandbox.
    @Test func theAccountTemplateIsTheDaemonWithTheAccountsOwnDirectoriesAndKey() throws {
        let service = try Self.unit("threadkeeper.service")
        let account = try Self.unit("threadkeeper@.service")
        #expect(
            Self.values("ExecStart", in: account) == [
                "/usr/bin/threadkeeper daemon --config /etc/threadkeeper/%i/threadkeeper.conf --rules /etc/threadkeeper/%i/rules.d"
            ])
        #expect(Self.values("Environment", in: account) == ["THREADKEEPER_INSTANCE=%i"])
        #expect(Self.values("StateDirectory", in: account) == ["threadkeeper/%i"])
        #expect(Self.values("RuntimeDirectory", in: account) == ["threadkeeper/%i"])
        #expect(Self.values("ConfigurationDirectory", in: account) == ["threadkeeper/%i"])
        #expect(Self.values("LoadCredential", in: account) == ["api-key:/etc/threadkeeper/%i/api-key"])
        for key in ["Type", "NotifyAccess", "ExecReload", "WatchdogSec", "Restart", "TimeoutStopSec", "StateDirectoryMode"] {
            #expect(Self.values(key, in: account) == Self.values(key, in: service), "\(key)")
        }
        // From User= on (user, sandbox, [Install]) everything is the daemon's.
        func fromUser(_ text: String) -> [String] {
            let lines = text.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("#") && !$0.isEmpty }
            let start = lines.firstIndex { $0.hasPrefix("User=") } ?? lines.endIndex
            return Array(lines[start...])
        }
        #expect(!fromUser(account).isEmpty)
        #expect(fromUser(account) == fromUser(service))
    }

    /// The import pass runs as the daemon's user with the spool's group, writes only the state
    /// directory and the spool, and reaches no network; the path unit starts it for the names
    /// writers rename complete files to.
    @Test func theImportUnitsWatchTheSpoolAndRunOnePassSandboxed() throws {
        let service = try Self.unit("threadkeeper-import.service")
        #expect(Self.values("Type", in: service) == ["oneshot"])
        #expect(Self.values("ExecStart", in: service) == ["/usr/bin/threadkeeper import --spool /var/spool/threadkeeper"])
        #expect(Self.values("User", in: service) == ["threadkeeper"])
        #expect(Self.values("SupplementaryGroups", in: service) == ["threadkeeper-spool"])
        #expect(Self.values("ReadWritePaths", in: service) == ["/var/spool/threadkeeper"])
        #expect(Self.values("StateDirectory", in: service) == ["threadkeeper"])
        #expect(Self.values("ProtectSystem", in: service) == ["strict"])
        #expect(Self.values("PrivateNetwork", in: service) == ["yes"])
        #expect(Self.values("LoadCredential", in: service).isEmpty)
        let path = try Self.unit("threadkeeper-import.path")
        #expect(
            Self.values("PathExistsGlob", in: path) == [
                "/var/spool/threadkeeper/*.jsonl", "/var/spool/threadkeeper/*.csv", "/var/spool/threadkeeper/*.ids",
            ])
        #expect(Self.values("Unit", in: path) == ["threadkeeper-import.service"])
    }

    // systemd-analyze takes seconds a unit: it is waited for on a thread of its own, not on the pool.
    @Test func systemdAnalyzeVerifyPrintsNothing() async throws {
        try requireAnalyze()
        let (directory, files) = try Self.preparedUnits()
        let path = directory.path
        let result = try await onOwnThread { try ProcessRunner.run(Self.analyze, ["verify"] + files, currentDirectory: path) }
        #expect(result.status == 0)
        #expect(result.standardOutput == "")
        #expect(result.standardError == "")
    }

    @Test func systemdAnalyzeSecurityRatesEveryServiceAtMostTwo() async throws {
        try requireAnalyze()
        let (directory, files) = try Self.preparedUnits()
        let path = directory.path
        for file in files where file.hasSuffix(".service") {
            let result = try await onOwnThread {
                try ProcessRunner.run(Self.analyze, ["security", "--offline=yes", "--no-pager", file], currentDirectory: path)
            }
            let overall = result.standardOutput.split(separator: "\n").first { $0.contains("Overall exposure level") }
            let score = overall.flatMap { line in line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) } }
            let exposure = try #require(score, "no score in: \(result.standardOutput) \(result.standardError)")
            #expect(exposure <= 2.0, "\(file): \(overall ?? "")")
        }
    }

    @Test func installPlacesBinaryUnitsCatalogAndExamples() throws {
        let destination = TemporaryDirectory()
        let result = try ProcessRunner.run(
            "/bin/bash",
            [
                Self.repository + "/scripts/install", "--destdir", destination.path, "--prefix", "/opt/tk", "--binary",
                BuiltProducts.threadkeeper,
            ])
        #expect(result.status == 0, "\(result.standardError)")
        let root = destination.path
        let fm = FileManager.default
        #expect(fm.isExecutableFile(atPath: root + "/opt/tk/bin/threadkeeper"))
        #expect(fm.isExecutableFile(atPath: root + "/opt/tk/lib/threadkeeper/threadkeeper-http"))
        // The installed binary finds its helper there and sends through it.
        let server = try CannedServer(
            head: "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 64\r\nConnection: close\r\n\r\n"
                + #"{"id":"thread_a","object":"thread","created_at":1,"metadata":{}}"#)
        defer { server.stop() }
        let get = try ProcessRunner.run(
            root + "/opt/tk/bin/threadkeeper", ["get", "thread_a", "--json", "--base-url", "http://127.0.0.1:\(server.port)"],
            environment: ["PATH": "/usr/bin:/bin", "THREADKEEPER_API_KEY": "sk-installed-layout"])
        #expect(get.status == 0, "\(get.standardError)")
        #expect(get.standardOutput.contains(#""id" : "thread_a""#) || get.standardOutput.contains(#""id":"thread_a""#))
        #expect(server.requests.first?.hasPrefix("GET /threads/thread_a HTTP/1.1") == true)
        let service = try String(contentsOfFile: root + "/opt/tk/lib/systemd/system/threadkeeper.service", encoding: .utf8)
        #expect(Self.values("ExecStart", in: service) == ["/opt/tk/bin/threadkeeper daemon"])
        let run = try String(contentsOfFile: root + "/opt/tk/lib/systemd/system/threadkeeper-run@.service", encoding: .utf8)
        #expect(Self.values("ExecStart", in: run) == ["/opt/tk/bin/threadkeeper run --yes -- %i"])
        let importService = try String(
            contentsOfFile: root + "/opt/tk/lib/systemd/system/threadkeeper-import.service", encoding: .utf8)
        #expect(Self.values("ExecStart", in: importService) == ["/opt/tk/bin/threadkeeper import --spool /var/spool/threadkeeper"])
        #expect(fm.fileExists(atPath: root + "/opt/tk/lib/systemd/system/threadkeeper-import.path"))
        let account = try String(contentsOfFile: root + "/opt/tk/lib/systemd/system/threadkeeper@.service", encoding: .utf8)
        #expect(
            Self.values("ExecStart", in: account) == [
                "/opt/tk/bin/threadkeeper daemon --config /etc/threadkeeper/%i/threadkeeper.conf --rules /etc/threadkeeper/%i/rules.d"
            ])
        // The spool and its done/ and failed/: setgid, for the writers' group.
        for directory in ["", "/done", "/failed"] {
            let spool = try fm.attributesOfItem(atPath: root + "/var/spool/threadkeeper" + directory)
            #expect((spool[.posixPermissions] as? Int) == 0o2770, "\(directory)")
        }
        #expect(fm.fileExists(atPath: root + "/etc/threadkeeper/threadkeeper.conf"))
        #expect(fm.fileExists(atPath: root + "/opt/tk/lib/sysusers.d/threadkeeper.conf"))
        // The key file exists, empty and root's alone; the directory stays readable by the service.
        let key = try fm.attributesOfItem(atPath: root + "/etc/threadkeeper/api-key")
        #expect((key[.posixPermissions] as? Int) == 0o600)
        #expect((key[.size] as? Int) == 0)
        #expect((try fm.attributesOfItem(atPath: root + "/etc/threadkeeper")[.posixPermissions] as? Int) == 0o755)
        #expect(result.standardOutput.contains("put the API key in /etc/threadkeeper/api-key"))
        #expect(try fm.contentsOfDirectory(atPath: root + "/etc/threadkeeper/rules.d").isEmpty)
        let examples = try fm.contentsOfDirectory(atPath: root + "/opt/tk/share/threadkeeper/examples/rules")
        #expect(examples.contains("support-30d.rule"))
        #expect(fm.fileExists(atPath: root + "/opt/tk/share/doc/threadkeeper/README.md"))
        #expect(fm.fileExists(atPath: root + "/opt/tk/lib/systemd/catalog/threadkeeper.catalog"))

        // A config already there is kept.
        try "# mine\n".write(toFile: root + "/etc/threadkeeper/threadkeeper.conf", atomically: true, encoding: .utf8)
        let again = try ProcessRunner.run(
            "/bin/bash", [Self.repository + "/scripts/install", "--destdir", root, "--binary", BuiltProducts.threadkeeper])
        #expect(again.status == 0)
        #expect(try String(contentsOfFile: root + "/etc/threadkeeper/threadkeeper.conf", encoding: .utf8) == "# mine\n")
        // ... and so is a key already there.
        try "sk-kept\n".write(toFile: root + "/etc/threadkeeper/api-key", atomically: false, encoding: .utf8)
        let third = try ProcessRunner.run(
            "/bin/bash", [Self.repository + "/scripts/install", "--destdir", root, "--binary", BuiltProducts.threadkeeper])
        #expect(third.status == 0)
        #expect(try String(contentsOfFile: root + "/etc/threadkeeper/api-key", encoding: .utf8) == "sk-kept\n")
        #expect(!third.standardOutput.contains("put the API key"))

        // journalctl finds the installed catalog where it looks for catalogs.
        let journalctl = "/usr/bin/journalctl"
        if fm.isExecutableFile(atPath: journalctl) {
            #expect(try ProcessRunner.run(journalctl, ["--root=\(root)", "--update-catalog"]).status == 0)
            let listed = try ProcessRunner.run(journalctl, ["--root=\(root)", "--list-catalog"]).standardOutput
            for (_, id) in MessageID.all { #expect(listed.contains(id.hex)) }
        }
    }

    @Test func installRefusesARelativePrefixAndUnknownOptions() throws {
        let relative = try ProcessRunner.run(
            "/bin/bash", [Self.repository + "/scripts/install", "--prefix", "usr", "--binary", "/bin/true"])
        #expect(relative.status == 64)
        #expect(relative.standardError.contains("'usr'"))
        let unknown = try ProcessRunner.run("/bin/bash", [Self.repository + "/scripts/install", "--frobnicate"])
        #expect(unknown.status == 64)
        #expect(unknown.standardError.contains("'--frobnicate'"))
    }
}
