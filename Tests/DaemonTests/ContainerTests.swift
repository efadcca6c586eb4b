import Foundation
import TestSupport
import Testing

/// The shipped unit under a real systemd, installed the way the README says: `scripts/install
/// --destdir` builds the release binary from a copy of the tree (git's tracked and unignored
/// files, so nothing prebuilt comes along) and stages everything; `systemd-nspawn` boots this
/// machine's /usr in a volatile container, the staged tree is unpacked into it and a check unit
/// inside creates the sysusers.d user, starts the service with the empty key file the install
/// left (it must fail, naming the file and the fix at priority err), adds the key, starts it
/// again, reads `systemctl status`, waits for a scheduled run in the journal and the ledger,
/// tries a root import (refused with the command to use) and the same as the service's user,
/// starts the oneshot template unit, reloads with a broken rule, stops it, runs two accounts'
/// daemons (`threadkeeper@.service`) against two emulators, and restarts the daemon over a
/// root-owned file in its state (refused, naming the file and its owner).
///
/// Needs root and `systemd-nspawn` (Debian `systemd-container`); skipped with the reason
/// otherwise, or when the container cannot boot. The release build keeps its objects in
/// `.build/install-test` between runs: about 3 minutes with an incremental build here.
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
        tk=/opt/threadkeeper/bin/threadkeeper
        note() { echo "$*" >> "$out/result"; }
        exec >> "$out/trace" 2>&1
        set -x
        note "booted=1"
        # What a package would do: unpack the staged tree, create the user, link the units.
        cp -a /srv/tk/dest/. /; note "unpack=$?"
        systemd-sysusers /opt/threadkeeper/lib/sysusers.d/threadkeeper.conf; note "sysusers=$?"
        note "user=$(id -un threadkeeper)"
        systemctl link /opt/threadkeeper/lib/systemd/system/threadkeeper.service; note "link=$?"
        systemctl link /opt/threadkeeper/lib/systemd/system/threadkeeper-run@.service; note "link-run=$?"
        note "key-mode=$(stat -c %a /etc/threadkeeper/api-key)"
        note "key-size=$(stat -c %s /etc/threadkeeper/api-key)"
        printf '[Rule]\nSchedule=*:*:0/5 UTC\nAction=report\n\n[Match]\nOlderThan=30d\n' > /etc/threadkeeper/rules.d/every-5s.rule
        systemctl daemon-reload
        # The key file is still empty: the start fails and says which file to fill.
        systemctl start threadkeeper; note "start-without-key=$?"
        for _ in $(seq 1 100); do
            journalctl -u threadkeeper -p err -o cat | grep -q api-key && break
            sleep 0.1
        done
        systemctl status threadkeeper --no-pager -n 20 > "$out/status-without-key" 2>&1
        journalctl -u threadkeeper -p err -o cat > "$out/errors-without-key"
        echo sk-nspawn-test > /etc/threadkeeper/api-key
        systemctl reset-failed threadkeeper
        systemctl start threadkeeper; note "start=$?"
        note "active=$(systemctl is-active threadkeeper)"
        systemctl status threadkeeper --no-pager > "$out/status" 2>&1
        finished=0
        for _ in $(seq 1 360); do
            if journalctl -u threadkeeper MESSAGE_ID=26bfc44d609a4927a936cf4b1649dafd -o cat | grep -q .; then finished=1; break; fi
            sleep 0.5
        done
        note "scheduled-run=$finished"
        note "runs=$(sqlite3 /var/lib/threadkeeper/ledger.sqlite3 "SELECT count(*) FROM runs WHERE rule = 'every-5s' AND trigger = 'schedule'")"
        note "ledger-owner=$(stat -c %U /var/lib/threadkeeper/ledger.sqlite3)"
        # Root may not write the service's ledger; the service's user may.
        printf 'thread_container1\n' > /srv/tk/ids.txt
        chmod 0644 /srv/tk/ids.txt
        $tk import /srv/tk/ids.txt > "$out/root-import" 2>&1; note "root-import=$?"
        # As the service's user. The volatile container has no /etc/pam.d, which runuser needs:
        # setpriv switches the same way without PAM.
        setpriv --reuid=threadkeeper --regid=threadkeeper --init-groups -- $tk import /srv/tk/ids.txt > "$out/user-import" 2>&1
        note "user-import=$?"
        note "imported=$(sqlite3 /var/lib/threadkeeper/ledger.sqlite3 "SELECT count(*) FROM threads WHERE id = 'thread_container1'")"
        note "owners=$(find /var/lib/threadkeeper ! -user threadkeeper | wc -l)"
        # The README's way to run an API command by hand: the service's user and its credential.
        systemd-run --quiet --pipe --wait -p User=threadkeeper -p LoadCredential=api-key:/etc/threadkeeper/api-key \
            -- $tk show-config > "$out/systemd-run" 2>&1
        note "systemd-run=$?"
        # The template unit is a oneshot: start returns once the run is in the ledger.
        printf '[Rule]\nAction=report\n\n[Match]\nOlderThan=30d\n' > /etc/threadkeeper/rules.d/once.rule
        systemctl start threadkeeper-run@once; note "oneshot=$?"
        note "oneshot-finished=$(sqlite3 /var/lib/threadkeeper/ledger.sqlite3 "SELECT count(*) FROM runs WHERE rule = 'once' AND finished_at IS NOT NULL")"
        note "oneshot-state=$(systemctl show threadkeeper-run@once -p ActiveState --value)"
        journalctl -u threadkeeper -u 'threadkeeper-run@*' -o cat | grep 'Failed to set thread priority' > "$out/priority-lines"
        # The spool: what a package would do (the staged tree is root's), then an application
        # in group threadkeeper-spool renames a good and a bad file in; the path unit imports them.
        chown threadkeeper:threadkeeper-spool /var/spool/threadkeeper /var/spool/threadkeeper/done /var/spool/threadkeeper/failed
        systemctl link /opt/threadkeeper/lib/systemd/system/threadkeeper-import.service \
            /opt/threadkeeper/lib/systemd/system/threadkeeper-import.path; note "link-import=$?"
        systemctl start threadkeeper-import.path; note "import-path=$?"
        app() { setpriv --reuid=nobody --regid=threadkeeper-spool --clear-groups -- "$@"; }
        app sh -c 'umask 027; printf "thread_spool1\nthread_spool2\n" > /var/spool/threadkeeper/.app.tmp && mv /var/spool/threadkeeper/.app.tmp /var/spool/threadkeeper/app.ids'
        note "app-write=$?"
        app sh -c 'umask 027; printf "thread_spool3\nthread spool4\n" > /var/spool/threadkeeper/.bad.tmp && mv /var/spool/threadkeeper/.bad.tmp /var/spool/threadkeeper/bad.ids'
        for _ in $(seq 1 200); do
            [ -e /var/spool/threadkeeper/done/app.ids ] && [ -e /var/spool/threadkeeper/failed/bad.ids.err ] && break
            sleep 0.1
        done
        note "spool-done=$(ls /var/spool/threadkeeper/done | tr '\n' ' ')"
        note "spool-failed=$(ls /var/spool/threadkeeper/failed | tr '\n' ' ')"
        note "spool-left=$(ls -A /var/spool/threadkeeper | tr '\n' ' ')"
        note "spool-threads=$(sqlite3 /var/lib/threadkeeper/ledger.sqlite3 "SELECT count(*) FROM threads WHERE id LIKE 'thread_spool%'")"
        cp /var/spool/threadkeeper/failed/bad.ids.err "$out/spool-err" 2>/dev/null
        systemctl status threadkeeper-import.path threadkeeper-import.service --no-pager > "$out/import-journal" 2>&1
        journalctl -u threadkeeper-import -o cat >> "$out/import-journal"
        printf 'Bogus=1\n' >> /etc/threadkeeper/rules.d/every-5s.rule
        systemctl reload threadkeeper; note "reload=$?"
        note "active-after-reload=$(systemctl is-active threadkeeper)"
        systemctl stop threadkeeper; note "stop=$?"
        note "result=$(systemctl show threadkeeper -p Result --value)"
        note "exit=$(systemctl show threadkeeper -p ExecMainStatus --value)"
        journalctl -u threadkeeper -o json > "$out/journal.json"
        # Several accounts on one host: two emulators, each taking only its account's key, and
        # threadkeeper@acme and threadkeeper@globex, each with its config, rules and key in
        # /etc/threadkeeper/ACCOUNT. Each ledger gets its account's threads; a scheduled tag rule
        # then reaches the account's emulator with the account's key.
        systemctl link /opt/threadkeeper/lib/systemd/system/threadkeeper@.service; note "link-account=$?"
        seed=1
        for account in acme globex; do
            seed=$((seed + 1))
            printf 'sk-%s-test\n' "$account" > /srv/tk/$account.key
            systemd-run --quiet --unit=tk-emulator-$account /srv/tk/emulator --seed 3 --seed-random $seed --seed-age 30d \
                --export /srv/tk/$account.jsonl --port-file /srv/tk/$account.port --api-key-file /srv/tk/$account.key
            for _ in $(seq 1 100); do [ -s /srv/tk/$account.port ] && break; sleep 0.1; done
            mkdir -p /etc/threadkeeper/$account/rules.d
            printf '[API]\nProvider=custom\nBaseURL=http://127.0.0.1:%s\n' "$(cat /srv/tk/$account.port)" \
                > /etc/threadkeeper/$account/threadkeeper.conf
            install -m 0600 /srv/tk/$account.key /etc/threadkeeper/$account/api-key
            printf '[Rule]\nSchedule=*:*:0/5 UTC\nAction=tag\n\n[Match]\nOlderThan=1min\n\n[Action]\nSet=account=%s\n' \
                "$account" > /etc/threadkeeper/$account/rules.d/tag-account.rule
            systemctl start threadkeeper@$account; note "start-$account=$?"
            chmod 0644 /srv/tk/$account.jsonl
            setpriv --reuid=threadkeeper --regid=threadkeeper --init-groups -- \
                $tk import --ledger /var/lib/threadkeeper/$account/ledger.sqlite3 /srv/tk/$account.jsonl \
                > "$out/import-$account" 2>&1
            note "import-$account=$?"
        done
        for account in acme globex; do
            ledger=/var/lib/threadkeeper/$account/ledger.sqlite3
            for _ in $(seq 1 300); do
                [ "$(sqlite3 $ledger "SELECT count(*) FROM actions WHERE outcome = 'ok'")" -ge 3 ] 2>/dev/null && break
                sleep 0.2
            done
            note "active-$account=$(systemctl is-active threadkeeper@$account)"
            note "ids-$account=$(sqlite3 $ledger "SELECT group_concat(id, ' ') FROM (SELECT id FROM threads ORDER BY id)")"
            note "exported-$account=$(sed -E 's/.*"id":"([^"]+)".*/\1/' /srv/tk/$account.jsonl | sort | tr '\n' ' ')"
            note "ok-$account=$(sqlite3 $ledger "SELECT count(DISTINCT thread_id) FROM actions WHERE outcome = 'ok'")"
            note "failed-$account=$(sqlite3 $ledger "SELECT count(*) FROM actions WHERE outcome IS NOT 'ok'")"
            note "tagged-$account=$(sqlite3 $ledger "SELECT count(*) FROM threads WHERE json_extract(metadata, '$.account') = '$account'")"
            journalctl -u threadkeeper@$account -o json > "$out/journal-$account.json"
        done
        systemctl stop threadkeeper@acme threadkeeper@globex tk-emulator-acme tk-emulator-globex
        # A file root left in the service's state: the service names it and its owner.
        rm -f /etc/threadkeeper/rules.d/every-5s.rule
        mkdir -p /var/lib/threadkeeper/archive; chown root:root /var/lib/threadkeeper/archive
        systemctl start threadkeeper; note "start-root-file=$?"
        journalctl -u threadkeeper -p err -o cat > "$out/errors-root-file"
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

    @Test func aTreeBuiltAndInstalledByScriptsInstallRunsUnderSystemdAndSaysWhatIsWrong() async throws {
        let nspawn = "/usr/bin/systemd-nspawn"
        guard getuid() == 0 else { try Test.cancel("systemd-nspawn needs root") }
        guard FileManager.default.isExecutableFile(atPath: nspawn) else {
            try Test.cancel("systemd-nspawn is not installed (Debian package systemd-container)")
        }
        if ProcessInfo.processInfo.environment["THREADKEEPER_SKIP_NSPAWN"] == "1" {
            try Test.cancel("THREADKEEPER_SKIP_NSPAWN=1")
        }
        let directory = TemporaryDirectory()
        let destination = directory.file("dest")
        let source = try Self.copyOfTheTree(into: directory.file("src"))
        let install = try ProcessRunner.run(
            "/bin/bash",
            [
                source + "/scripts/install", "--destdir", destination, "--prefix", "/opt/threadkeeper", "--scratch-path",
                Self.repository + "/.build/install-test",
            ])
        try #require(install.status == 0, "scripts/install failed: \(install.standardError.suffix(3000))")
        #expect(FileManager.default.isExecutableFile(atPath: destination + "/opt/threadkeeper/bin/threadkeeper"))
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
            "--bind-ro=\(destination):/srv/tk/dest",
            "--bind=\(out):/srv/tk/out", "--bind-ro=\(script):/srv/tk/check.sh",
            "--bind-ro=\(unit):/etc/systemd/system/tk-check.service", "--bind-ro=\(BuiltProducts.emulator):/srv/tk/emulator",
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
            let deadline = ContinuousClock.now + .seconds(500)
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
        // The spool: the path unit ran a pass as the service's user that took the good file in
        // and put the bad one in failed/ with its line.
        #expect(results["link-import"] == "0")
        #expect(results["import-path"] == "0")
        #expect(results["app-write"] == "0")
        let importJournal = (try? String(contentsOfFile: out + "/import-journal", encoding: .utf8)) ?? ""
        #expect(results["spool-done"] == "app.ids ", "\(importJournal)")
        #expect(results["spool-failed"] == "bad.ids bad.ids.err ")
        #expect(results["spool-left"] == "done failed ")
        #expect(results["spool-threads"] == "2")
        let spoolError = (try? String(contentsOfFile: out + "/spool-err", encoding: .utf8)) ?? ""
        #expect(spoolError.hasPrefix("/var/spool/threadkeeper/bad.ids:2: thread id 'thread spool4' "), "\(spoolError)")
        #expect(results["unpack"] == "0")
        #expect(results["sysusers"] == "0")
        #expect(results["user"] == "threadkeeper")
        #expect(results["key-mode"] == "600")
        #expect(results["key-size"] == "0")
        // Without a key: the start fails, `systemctl status` and the err journal name the file and the fix.
        #expect(results["start-without-key"] != "0")
        let statusWithoutKey = (try? String(contentsOfFile: out + "/status-without-key", encoding: .utf8)) ?? ""
        #expect(statusWithoutKey.contains("/etc/threadkeeper/api-key"), "\(statusWithoutKey)")
        #expect(statusWithoutKey.contains("systemctl restart threadkeeper"), "\(statusWithoutKey)")
        let errorsWithoutKey = (try? String(contentsOfFile: out + "/errors-without-key", encoding: .utf8)) ?? ""
        #expect(errorsWithoutKey.contains("/etc/threadkeeper/api-key"), "\(errorsWithoutKey)")
        #expect(results["start"] == "0")
        #expect(results["active"] == "active")
        let status = (try? String(contentsOfFile: out + "/status", encoding: .utf8)) ?? ""
        #expect(status.contains("Active: active (running)"), "\(status)")
        #expect(status.contains("Status: \"idle; next: every-5s at "), "\(status)")
        #expect(results["scheduled-run"] == "1")
        #expect((Int(results["runs"] ?? "") ?? 0) >= 1)
        #expect(results["ledger-owner"] == "threadkeeper")
        // Root is refused with the exact command; that command works; nothing is root's.
        let rootImport = (try? String(contentsOfFile: out + "/root-import", encoding: .utf8)) ?? ""
        #expect(results["root-import"] == "77", "\(rootImport)")
        #expect(
            rootImport.contains("runuser -u threadkeeper -- /opt/threadkeeper/bin/threadkeeper import /srv/tk/ids.txt"), "\(rootImport)")
        #expect(results["user-import"] == "0", "\((try? String(contentsOfFile: out + "/user-import", encoding: .utf8)) ?? "")")
        #expect(results["imported"] == "1")
        #expect(results["owners"] == "0")
        let systemdRun = (try? String(contentsOfFile: out + "/systemd-run", encoding: .utf8)) ?? ""
        #expect(results["systemd-run"] == "0", "\(systemdRun)")
        #expect(systemdRun.contains("ApiKey=<redacted>"), "\(systemdRun)")
        #expect(systemdRun.contains("/var/lib/threadkeeper/ledger.sqlite3"), "\(systemdRun)")
        #expect(results["oneshot"] == "0")
        #expect(results["oneshot-finished"] == "1")
        #expect(results["oneshot-state"] == "inactive")
        // libdispatch's "Failed to set thread priority" lines are the unit's system call filter
        // refusing a priority raise (EPERM), as the units' comment says, and nothing else.
        let priorityLines = ((try? String(contentsOfFile: out + "/priority-lines", encoding: .utf8)) ?? "")
            .split(separator: "\n")
        #expect(priorityLines.allSatisfy { $0.hasSuffix("errno=1") }, "\(priorityLines)")
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

        // Two accounts: each instance runs with its own ledger holding exactly its account's
        // threads, tags them through its own emulator with its own key, and every entry its
        // daemon writes to the journal names the instance.
        #expect(results["link-account"] == "0")
        for (account, other) in [("acme", "globex"), ("globex", "acme")] {
            #expect(results["start-\(account)"] == "0")
            #expect(
                results["import-\(account)"] == "0",
                "\((try? String(contentsOfFile: out + "/import-\(account)", encoding: .utf8)) ?? "")")
            #expect(results["active-\(account)"] == "active")
            let ids = Set((results["ids-\(account)"] ?? "").split(separator: " ").map(String.init))
            let exported = Set((results["exported-\(account)"] ?? "").split(separator: " ").map(String.init))
            let otherExported = Set((results["exported-\(other)"] ?? "").split(separator: " ").map(String.init))
            #expect(exported.count == 3)
            #expect(ids == exported, "\(account): \(ids) vs \(exported)")
            #expect(ids.isDisjoint(with: otherExported))
            #expect(results["ok-\(account)"] == "3", "trace: \(trace)")
            #expect(results["failed-\(account)"] == "0")
            #expect(results["tagged-\(account)"] == "3")
            let journal = ((try? String(contentsOfFile: out + "/journal-\(account).json", encoding: .utf8)) ?? "")
                .split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            // The daemon's structured entries; its stderr (libdispatch's priority line) is a stream
            // journald tags with the unit, not with fields of the process's choosing.
            let own = journal.filter { $0["SYSLOG_IDENTIFIER"] as? String == "threadkeeper" && $0["_TRANSPORT"] as? String == "journal" }
            #expect(own.count >= 3)
            let without = own.filter { $0["THREADKEEPER_INSTANCE"] as? String != account }.map { $0["MESSAGE"] ?? "" }
            #expect(without.isEmpty, "\(account): \(without)")
            let streamed = journal.filter {
                $0["SYSLOG_IDENTIFIER"] as? String == "threadkeeper" && $0["_TRANSPORT"] as? String != "journal"
            }
            #expect(streamed.allSatisfy { ($0["MESSAGE"] as? String)?.hasSuffix("errno=1") == true }, "\(streamed)")
            #expect(own.contains { $0["MESSAGE_ID"] as? String == "26bfc44d609a4927a936cf4b1649dafd" })
        }

        // A directory root left in the state: the start fails naming it and its owner.
        #expect(results["start-root-file"] != "0")
        let errorsRootFile = (try? String(contentsOfFile: out + "/errors-root-file", encoding: .utf8)) ?? ""
        #expect(errorsRootFile.contains("'/var/lib/threadkeeper/archive' belongs to root"), "\(errorsRootFile)")
    }

    /// Git's tracked and unignored files of the working tree, copied to `target`: what a fresh
    /// clone with this change would hold, without `.build`.
    static func copyOfTheTree(into target: String) throws -> String {
        let listed = try ProcessRunner.run(
            "/usr/bin/git", ["-C", repository, "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        try #require(listed.status == 0, "git ls-files: \(listed.standardError)")
        let fm = FileManager.default
        for path in listed.standardOutput.split(separator: "\0").map(String.init) {
            let from = repository + "/" + path
            guard fm.fileExists(atPath: from) else { continue }  // deleted in the working tree
            let to = target + "/" + path
            try fm.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.copyItem(atPath: from, toPath: to)
        }
        return target
    }
}
