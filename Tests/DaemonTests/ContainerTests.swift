import Foundation
import TestSupport
import Testing

/// The shipped unit under a real systemd: `systemd-nspawn` boots this machine's /usr in a
/// volatile container, `scripts/install` installs the built binary and the units, and a check
/// unit inside starts the service, reads `systemctl status`, waits for a scheduled run in the
/// journal and the ledger, reloads with a broken rule and stops it.
///
/// Needs root and `systemd-nspawn` (Debian `systemd-container`); skipped with the reason
/// otherwise, or when the container cannot boot. About 10 s on an idle machine.
@Suite struct ContainerTests {
    static var repository: String {
        var directory = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { directory.deleteLastPathComponent() }
        return directory.path
    }

    /// Runs inside the container as a oneshot unit; writes `key=value` lines to `result`.
    static let checkScript = #"""
        #!/bin/bash
        out=/srv/tk/out
        note() { echo "$*" >> "$out/result"; }
        exec >> "$out/trace" 2>&1
        set -x
        note "booted=1"
        /srv/tk/repo/scripts/install --prefix /opt/threadkeeper --binary /srv/tk/bin/threadkeeper; note "install=$?"
        systemctl link /opt/threadkeeper/lib/systemd/system/threadkeeper.service; note "link=$?"
        (umask 077; echo sk-nspawn-test > /etc/threadkeeper/api-key)
        printf '[Rule]\nSchedule=*:*:0/5 UTC\nAction=report\n\n[Match]\nOlderThan=30d\n' > /etc/threadkeeper/rules.d/every-5s.rule
        systemctl daemon-reload
        systemctl start threadkeeper; note "start=$?"
        note "active=$(systemctl is-active threadkeeper)"
        systemctl status threadkeeper --no-pager > "$out/status" 2>&1
        finished=0
        for _ in $(seq 1 360); do
            if journalctl -u threadkeeper MESSAGE_ID=26bfc44d609a4927a936cf4b1649dafd -o cat | grep -q .; then finished=1; break; fi
            sleep 0.5
        done
        note "scheduled-run=$finished"
        note "runs=$(sqlite3 /var/lib/private/threadkeeper/ledger.sqlite3 "SELECT count(*) FROM runs WHERE rule = 'every-5s' AND trigger = 'schedule'")"
        printf 'Bogus=1\n' >> /etc/threadkeeper/rules.d/every-5s.rule
        systemctl reload threadkeeper; note "reload=$?"
        note "active-after-reload=$(systemctl is-active threadkeeper)"
        systemctl stop threadkeeper; note "stop=$?"
        note "result=$(systemctl show threadkeeper -p Result --value)"
        note "exit=$(systemctl show threadkeeper -p ExecMainStatus --value)"
        journalctl -u threadkeeper -o json > "$out/journal.json"
        note "done=1"
        systemctl poweroff --no-block
        """#

    static let checkUnit = """
        [Unit]
        Description=threadkeeper container check

        [Service]
        Type=oneshot
        ExecStart=/srv/tk/check.sh
        """

    /// `key=value` lines of the check's result file.
    static func results(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return values
    }

    @Test func theInstalledUnitStartsRunsOnScheduleReloadsAndStopsUnderSystemd() async throws {
        let nspawn = "/usr/bin/systemd-nspawn"
        guard getuid() == 0 else { try Test.cancel("systemd-nspawn needs root") }
        guard FileManager.default.isExecutableFile(atPath: nspawn) else {
            try Test.cancel("systemd-nspawn is not installed (Debian package systemd-container)")
        }
        if ProcessInfo.processInfo.environment["THREADKEEPER_SKIP_NSPAWN"] == "1" {
            try Test.cancel("THREADKEEPER_SKIP_NSPAWN=1")
        }
        let directory = TemporaryDirectory()
        let out = directory.file("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let script = try directory.write("check.sh", Self.checkScript)
        chmod(script, 0o755)
        let unit = try directory.write("tk-check.service", Self.checkUnit)
        let console = directory.file("console")
        _ = FileManager.default.createFile(atPath: console, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: nspawn)
        process.arguments = [
            "-D", "/", "--volatile=yes", "--private-network", "--register=no", "--keep-unit",
            "--machine=tk-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))", "--bind-ro=/opt/swift",
            "--bind-ro=\(Self.repository):/srv/tk/repo", "--bind-ro=\(BuiltProducts.directory):/srv/tk/bin",
            "--bind=\(out):/srv/tk/out", "--bind-ro=\(script):/srv/tk/check.sh",
            "--bind-ro=\(unit):/etc/systemd/system/tk-check.service",
            "-b", "--", "systemd.firstboot=off", "systemd.wants=tk-check.service",
            // --private-network has no uplink: nothing would bring network-online.target up.
            "systemd.mask=systemd-networkd-wait-online.service",
        ]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: console))
        process.standardError = process.standardOutput
        try process.run()
        let pid = process.processIdentifier
        let exited = await DaemonProcess.onThread {
            let deadline = ContinuousClock.now + .seconds(400)
            while process.isRunning && ContinuousClock.now < deadline { usleep(100_000) }
            if process.isRunning {
                kill(pid, SIGTERM)  // nspawn powers the container off
                usleep(10_000_000)
                if process.isRunning { kill(pid, SIGKILL) }
                process.waitUntilExit()
                return false
            }
            return true
        }

        let resultText = (try? String(contentsOfFile: out + "/result", encoding: .utf8)) ?? ""
        let consoleText = (try? String(contentsOfFile: console, encoding: .utf8)) ?? ""
        guard resultText.contains("booted=1") else {
            let tail = consoleText.split(separator: "\n").suffix(5).joined(separator: " | ")
            try Test.cancel("systemd-nspawn could not boot a container here (exit \(process.terminationStatus)): \(tail)")
        }
        let trace = (try? String(contentsOfFile: out + "/trace", encoding: .utf8)) ?? ""
        let results = Self.results(resultText)
        #expect(exited, "the container did not power off; trace: \(trace)")
        #expect(results["done"] == "1", "trace: \(trace)")
        #expect(results["install"] == "0")
        #expect(results["start"] == "0")
        #expect(results["active"] == "active")
        let status = (try? String(contentsOfFile: out + "/status", encoding: .utf8)) ?? ""
        #expect(status.contains("Active: active (running)"), "\(status)")
        #expect(status.contains("Status: \"idle; next: every-5s at "), "\(status)")
        #expect(results["scheduled-run"] == "1")
        #expect((Int(results["runs"] ?? "") ?? 0) >= 1)
        #expect(results["reload"] == "0")
        #expect(results["active-after-reload"] == "active")
        #expect(results["stop"] == "0")
        #expect(results["result"] == "success")
        #expect(results["exit"] == "0")

        // The journal has the daemon's events with their fields; the broken rule is at err with file:line.
        let entries = ((try? String(contentsOfFile: out + "/journal.json", encoding: .utf8)) ?? "").split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let started = entries.first { $0["MESSAGE_ID"] as? String == "98ce01106ea54a49ab405c7abbf7a069" }
        #expect(started?["SYSLOG_IDENTIFIER"] as? String == "threadkeeper")
        let finished = entries.first { $0["MESSAGE_ID"] as? String == "26bfc44d609a4927a936cf4b1649dafd" }
        #expect(finished?["THREADKEEPER_RULE"] as? String == "every-5s")
        let rejected = entries.first { $0["MESSAGE_ID"] as? String == "b464ef415835491cb9f1626f79146302" }
        #expect(rejected?["PRIORITY"] as? String == "3")
        #expect((rejected?["MESSAGE"] as? String)?.contains("every-5s.rule:7:1") == true)
    }
}
