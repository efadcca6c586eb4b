import CommandLineKit
import Foundation

/// The service's fixed system user (`systemd/threadkeeper.sysusers`) and the two checks that
/// keep its state usable: root may not write it, and the service names what it cannot write.
///
/// Root writing the service's ledger or archives leaves root-owned files the service cannot
/// open (exit 74 in a restart loop) or write ("Permission denied" on every archived delete).
/// So root is refused with the command to run instead, and the service, at start, checks that
/// it owns its ledger files and archive directory before it relies on them.
enum ServiceAccount {
    static let userName = "threadkeeper"
    /// The ledger the service uses, and root's and the service user's default.
    static let defaultLedger = "/var/lib/threadkeeper/ledger.sqlite3"

    /// Root and the service's user default to the service's ledger; other users to their own.
    static var usesServiceState: Bool {
        geteuid() == 0 || name(ofUser: geteuid()) == userName
    }

    /// As root, refuses to write `ledgerPath` when it is the service's: owned by another user,
    /// in a directory another user owns, or the service's default path once its user exists.
    static func refuseRootWriting(ledgerPath: String, context: CommandContext) throws {
        guard geteuid() == 0 else { return }
        var owner: uid_t?
        var info = stat()
        if stat(ledgerPath, &info) == 0 {
            owner = info.st_uid
        } else if stat((ledgerPath as NSString).deletingLastPathComponent, &info) == 0 {
            owner = info.st_uid
        }
        if let found = owner, found == 0, ledgerPath != defaultLedger { return }
        let service = getpwnam(userName).map { $0.pointee.pw_uid }
        let user: uid_t
        if let found = owner, found != 0 {
            user = found
        } else if let service, ledgerPath == defaultLedger {
            user = service
        } else {
            return
        }
        let userName = name(ofUser: user) ?? "uid \(user)"
        let command = ([CommandLine.arguments.first ?? "threadkeeper"] + CommandLine.arguments.dropFirst())
            .map(shellQuoted).joined(separator: " ")
        throw CommandFailure(
            "the ledger '\(ledgerPath)' is the service's (user '\(userName)'); run as root, this command would "
                + "leave files that user cannot write. Run it as that user: runuser -u \(userName) -- \(command) "
                + "(a run that needs the API key: systemctl start threadkeeper-run@RULE; another command that calls "
                + "the API: systemd-run --pipe --wait -p User=\(userName) -p LoadCredential=api-key:/etc/threadkeeper/api-key -- \(command))",
            exitCode: .noPermission)
    }

    /// Under systemd (`$STATE_DIRECTORY` set), the first of the ledger, its `-wal` and `-shm`
    /// files, its directory and the archive directory that this user does not own, named with
    /// its owner and the command that gives it back.
    static func checkServiceState(ledgerPath: String, archiveDirectory: String, environment: [String: String]) throws {
        guard let state = environment["STATE_DIRECTORY"]?.split(separator: ":").first.map(String.init), !state.isEmpty
        else { return }
        let me = geteuid()
        guard me != 0 else { return }
        let paths = [
            (ledgerPath as NSString).deletingLastPathComponent, ledgerPath, ledgerPath + "-wal", ledgerPath + "-shm",
            archiveDirectory,
        ]
        for path in paths {
            var info = stat()
            guard stat(path, &info) == 0, info.st_uid != me else { continue }
            let owner = name(ofUser: info.st_uid) ?? "uid \(info.st_uid)"
            let myName = name(ofUser: me) ?? "uid \(me)"
            throw CommandFailure(
                "'\(path)' belongs to \(owner) (uid \(info.st_uid)), but the service runs as \(myName) (uid \(me)) and "
                    + "cannot write it; give it back with 'chown -R \(myName):\(myName) \(state)', and run admin "
                    + "commands as the service's user (runuser -u \(myName) -- threadkeeper …)",
                exitCode: .noPermission)
        }
    }

    static func name(ofUser uid: uid_t) -> String? {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return nil }
        return String(cString: name)
    }

    /// `word` as one shell word: unchanged when it is plain, else in single quotes.
    static func shellQuoted(_ word: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_/.,:=@%+-")
        if !word.isEmpty, word.allSatisfy(plain.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
