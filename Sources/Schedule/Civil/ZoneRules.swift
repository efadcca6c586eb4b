import Foundation

/// The UTC offsets of a time zone, and the conversions between instants and wall clocks in it.
///
/// UTC needs no table; named zones use Foundation's `TimeZone` (the system's tzdata). Converting a
/// wall clock to an instant follows glibc's `mktime()` with `tm_isdst = -1`, which systemd relies on:
/// a reading inside a spring-forward gap is read with the offset in force before the gap (so 02:30
/// becomes 03:30 summer time), and a reading that occurs twice in the autumn takes the offset given
/// as `preferredOffset` when that fits, else the earlier occurrence.
struct ZoneRules: Sendable, Hashable {
    /// `nil` for UTC.
    let timeZone: TimeZone?

    static let utc = ZoneRules(timeZone: nil)

    init(timeZone: TimeZone?) {
        if let timeZone, ["UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu"].contains(timeZone.identifier) {
            self.timeZone = nil
        } else {
            self.timeZone = timeZone
        }
    }

    /// The zone of the process (`TZ`, else /etc/localtime).
    static var local: ZoneRules { ZoneRules(timeZone: TimeZone.current) }

    /// A zone by IANA name (`Europe/Berlin`), or `nil` if the system does not know it.
    static func named(_ name: String) -> ZoneRules? {
        if name == "UTC" { return .utc }
        guard isPlausibleName(name), let zone = TimeZone(identifier: name) else { return nil }
        return ZoneRules(timeZone: zone)
    }

    /// IANA names are made of letters, digits and `/_-+`, like systemd's `timezone_is_valid()` demands.
    static func isPlausibleName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic, !name.hasSuffix("/") else {
            return false
        }
        return name.unicodeScalars.allSatisfy {
            ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "/_-+".unicodeScalars.contains($0)
        } && !name.contains("//") && !name.contains("..")
    }

    var isUTC: Bool { timeZone == nil }

    /// The zone's identifier (`UTC` for UTC).
    var identifier: String { timeZone?.identifier ?? "UTC" }

    /// Seconds east of UTC in force at `instant` (Unix seconds).
    func offset(at instant: Int64) -> Int {
        guard let timeZone else { return 0 }
        return timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
    }

    /// The abbreviation in force at `instant` (`CET`, `EDT`), as `strftime("%Z")` prints it.
    func abbreviation(at instant: Int64) -> String {
        guard let timeZone else { return "UTC" }
        let date = Date(timeIntervalSince1970: TimeInterval(instant))
        if let name = timeZone.abbreviation(for: date), !name.hasPrefix("GMT") || name == "GMT" { return name }
        // tzdata writes numeric abbreviations ("+03") where no letters are in use.
        let offset = timeZone.secondsFromGMT(for: date)
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset)
        let hours = magnitude / 3600
        let minutes = magnitude / 60 % 60
        return minutes == 0
            ? "\(sign)\(hours < 10 ? "0" : "")\(hours)"
            : "\(sign)\(hours < 10 ? "0" : "")\(hours)\(minutes < 10 ? "0" : "")\(minutes)"
    }

    /// The wall clock at `instant`.
    func wallClock(at instant: Int64) -> WallClock {
        WallClock(localSeconds: instant + Int64(offset(at: instant)))
    }

    /// The instant a wall clock names, resolving gaps and overlaps like glibc's `mktime()`.
    ///
    /// Returns the instant and the offset used; the wall clock of the result differs from `clock`
    /// only when `clock` falls in a gap.
    func instant(of clock: WallClock, preferredOffset: Int? = nil) -> (instant: Int64, offset: Int) {
        let local = clock.localSeconds
        guard timeZone != nil else { return (local, 0) }
        let before = offset(at: local - 86_400)
        let after = offset(at: local + 86_400)
        var fitting: [Int] = []
        for candidate in [before, after, offset(at: local - Int64(before))] where !fitting.contains(candidate) {
            if offset(at: local - Int64(candidate)) == candidate { fitting.append(candidate) }
        }
        if fitting.isEmpty {
            // In a gap: read with the offset before it, which lands after the gap.
            return (local - Int64(before), offset(at: local - Int64(before)))
        }
        if let preferredOffset, fitting.contains(preferredOffset) {
            return (local - Int64(preferredOffset), preferredOffset)
        }
        let chosen = fitting.max()!
        return (local - Int64(chosen), chosen)
    }
}
