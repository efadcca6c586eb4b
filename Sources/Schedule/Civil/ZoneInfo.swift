import Foundation
import Synchronization

/// One time zone's history from the system's tzdata (TZif files, RFC 8536), as glibc reads it.
///
/// Reading the same files glibc's `localtime()` and `mktime()` read keeps offsets and
/// abbreviations (`CET`, `EDT`) identical to what systemd prints.
final class ZoneInfo: Sendable {
    struct LocalType: Sendable, Hashable {
        var offset: Int
        var isDST: Bool
        var abbreviation: String
    }

    let name: String
    let transitions: [Int64]
    /// Index into `types` in force from each transition on.
    let transitionTypes: [Int]
    let types: [LocalType]
    let footer: PosixTimeZoneRule?

    init(name: String, transitions: [Int64], transitionTypes: [Int], types: [LocalType], footer: PosixTimeZoneRule?) {
        self.name = name
        self.transitions = transitions
        self.transitionTypes = transitionTypes
        self.types = types
        self.footer = footer
    }

    /// A zone made only of a POSIX rule (a `TZ` value like `EST5EDT,M3.2.0,M11.1.0`).
    convenience init(name: String, rule: PosixTimeZoneRule) {
        self.init(name: name, transitions: [], transitionTypes: [], types: [], footer: rule)
    }

    /// Seconds east of UTC at `instant`; the hot path of every conversion, so no strings are copied.
    func offset(at instant: Int64) -> Int {
        if let footer, usesFooter(at: instant) { return footer.offset(at: instant) }
        return types.isEmpty ? 0 : types[typeIndex(at: instant)].offset
    }

    /// Whether daylight saving time is in force at `instant`.
    func isDaylightSavingTime(at instant: Int64) -> Bool {
        if let footer, usesFooter(at: instant) { return footer.isDaylight(at: instant) }
        return types.isEmpty ? false : types[typeIndex(at: instant)].isDST
    }

    /// As in glibc: the footer rule applies from the last transition on, or everywhere in a zone
    /// made only of a rule.
    private func usesFooter(at instant: Int64) -> Bool {
        guard footer != nil else { return false }
        guard let last = transitions.last else { return types.isEmpty }
        return instant >= last
    }

    /// The index into `types` in force at `instant`; before the first transition (or without any),
    /// glibc takes the first standard-time type.
    private func typeIndex(at instant: Int64) -> Int {
        if transitions.isEmpty || instant < transitions[0] { return types.firstIndex { !$0.isDST } ?? 0 }
        var low = 0
        var high = transitions.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if transitions[middle] <= instant { low = middle } else { high = middle - 1 }
        }
        return transitionTypes[low]
    }

    /// The local time type in force at `instant` (Unix seconds).
    func local(at instant: Int64) -> LocalType {
        if let footer, usesFooter(at: instant) {
            let rule = footer.local(at: instant)
            return LocalType(offset: rule.offset, isDST: rule.isDST, abbreviation: rule.abbreviation)
        }
        return types.isEmpty ? LocalType(offset: 0, isDST: false, abbreviation: "UTC") : types[typeIndex(at: instant)]
    }

    static let directory = "/usr/share/zoneinfo"
    private static let cache = Mutex<[String: ZoneInfo]>([:])

    /// The zone named `name` (`Europe/Berlin`), loaded once per process; `nil` if tzdata lacks it.
    static func named(_ name: String) -> ZoneInfo? {
        if let cached = cache.withLock({ $0[name] }) { return cached }
        guard let data = FileManager.default.contents(atPath: directory + "/" + name),
            let zone = parse(name: name, bytes: [UInt8](data))
        else { return nil }
        cache.withLock { $0[name] = zone }
        return zone
    }

    /// The zone of the process: `TZ` (a name, a path, or a POSIX rule), else /etc/localtime; loaded
    /// once per value of `TZ`.
    static func local() -> ZoneInfo? {
        // getenv, not ProcessInfo's environment: this runs for every parsed expression.
        let value = getenv("TZ").map { String(cString: $0) } ?? ""
        let key = "\u{0}local:" + value
        if let cached = cache.withLock({ $0[key] }) { return cached }
        guard let zone = loadLocal(value) else { return nil }
        cache.withLock { $0[key] = zone }
        return zone
    }

    private static func loadLocal(_ tz: String) -> ZoneInfo? {
        var value = tz
        if value.hasPrefix(":") { value.removeFirst() }
        if value.isEmpty {
            return fromFile("/etc/localtime", name: localName())
        }
        if value.hasPrefix("/") { return fromFile(value, name: value) }
        if let zone = named(value) { return zone }
        return PosixTimeZoneRule(value).map { ZoneInfo(name: value, rule: $0) }
    }

    /// The name of the host's zone as Foundation's `TimeZone.current` gives it on Linux: the
    /// target of the `/etc/localtime` link below `zoneinfo/`, else `/etc/timezone`. Asked of
    /// `TimeZone` only when neither says, because it loads ICU (about 4 MiB resident in every
    /// process that parses a schedule, the daemon included).
    static func localName() -> String {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/etc/localtime"),
            let range = target.range(of: "zoneinfo/")
        {
            let name = String(target[range.upperBound...])
            if !name.isEmpty { return name }
        }
        if let data = FileManager.default.contents(atPath: "/etc/timezone") {
            let words = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isWhitespace)
            if words.count == 1 { return String(words[0]) }
        }
        return TimeZone.current.identifier
    }

    private static func fromFile(_ path: String, name: String) -> ZoneInfo? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return parse(name: name, bytes: [UInt8](data))
    }

    /// Parses a TZif file, preferring its 64-bit (version 2+) data block.
    static func parse(name: String, bytes: [UInt8]) -> ZoneInfo? {
        func integer(_ offset: Int, _ size: Int) -> Int64? {
            guard offset + size <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[offset..<offset + size] { value = value << 8 | Int64(byte) }
            if size == 4 { value = Int64(Int32(truncatingIfNeeded: value)) }
            return value
        }
        func header(at offset: Int) -> [Int]? {
            guard bytes.count >= offset + 44, bytes[offset..<offset + 4].elementsEqual("TZif".utf8) else { return nil }
            return (0..<6).compactMap { integer(offset + 20 + $0 * 4, 4).map(Int.init) }
        }
        guard let first = header(at: 0), first.count == 6 else { return nil }
        let version = bytes[4]
        func blockLength(_ counts: [Int], timeSize: Int) -> Int {
            let (isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt) = (counts[0], counts[1], counts[2], counts[3], counts[4], counts[5])
            return timecnt * timeSize + timecnt + typecnt * 6 + charcnt + leapcnt * (timeSize + 4) + isstdcnt + isutcnt
        }
        var start = 44
        var counts = first
        var timeSize = 4
        if version >= UInt8(ascii: "2") {
            let second = 44 + blockLength(first, timeSize: 4)
            guard let next = header(at: second), next.count == 6 else { return nil }
            start = second + 44
            counts = next
            timeSize = 8
        }
        let (timecnt, typecnt, charcnt) = (counts[3], counts[4], counts[5])
        guard bytes.count >= start + blockLength(counts, timeSize: timeSize), typecnt > 0 else { return nil }
        var transitions: [Int64] = []
        var transitionTypes: [Int] = []
        for index in 0..<timecnt { transitions.append(integer(start + index * timeSize, timeSize)!) }
        let typeIndexes = start + timecnt * timeSize
        for index in 0..<timecnt { transitionTypes.append(Int(bytes[typeIndexes + index])) }
        let typeRecords = typeIndexes + timecnt
        let characters = typeRecords + typecnt * 6
        var types: [LocalType] = []
        for index in 0..<typecnt {
            let record = typeRecords + index * 6
            let designation = min(characters + Int(bytes[record + 5]), characters + charcnt)
            var end = designation
            while end < characters + charcnt, bytes[end] != 0 { end += 1 }
            types.append(
                LocalType(
                    offset: Int(integer(record, 4)!), isDST: bytes[record + 4] != 0,
                    abbreviation: String(decoding: bytes[designation..<end], as: UTF8.self)))
        }
        guard transitionTypes.allSatisfy({ $0 < types.count }) else { return nil }
        var footer: PosixTimeZoneRule?
        if timeSize == 8 {
            let footerStart = start + blockLength(counts, timeSize: 8)
            if footerStart < bytes.count, bytes[footerStart] == 0x0A {
                let text = bytes[(footerStart + 1)...].prefix { $0 != 0x0A }
                footer = PosixTimeZoneRule(String(decoding: text, as: UTF8.self))
            }
        }
        return ZoneInfo(name: name, transitions: transitions, transitionTypes: transitionTypes, types: types, footer: footer)
    }
}
