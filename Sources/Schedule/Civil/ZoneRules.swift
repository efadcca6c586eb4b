import Foundation

/// The UTC offsets of a time zone, and the conversions between instants and wall clocks in it.
///
/// Named zones come from the system's tzdata (the files glibc and systemd read), so offsets and
/// abbreviations match `systemd-analyze`; Foundation's `TimeZone` is the fallback where a zone
/// file is missing. Converting a wall clock to an instant follows glibc's `mktime()` with
/// `tm_isdst = -1`, which systemd relies on: a reading inside a spring-forward gap is read with the
/// offset in force before the gap (so 02:30 becomes 03:30 summer time), and a reading that occurs
/// twice in the autumn takes `preferredOffset` when that fits, else the earlier occurrence.
public struct ZoneRules: Sendable, Hashable, CustomStringConvertible {
    enum Storage: Sendable, Hashable {
        case utc
        case tzdata(ZoneInfo)
        case foundation(TimeZone)

        static func == (lhs: Storage, rhs: Storage) -> Bool {
            switch (lhs, rhs) {
            case (.utc, .utc): return true
            case (.tzdata(let a), .tzdata(let b)): return a === b
            case (.foundation(let a), .foundation(let b)): return a == b
            default: return false
            }
        }

        func hash(into hasher: inout Hasher) {
            switch self {
            case .utc: hasher.combine(0)
            case .tzdata(let zone): hasher.combine(ObjectIdentifier(zone))
            case .foundation(let zone): hasher.combine(zone)
            }
        }
    }

    let storage: Storage

    init(storage: Storage) { self.storage = storage }

    /// Coordinated Universal Time.
    public static let utc = ZoneRules(storage: .utc)

    static let utcNames: Set<String> = ["UTC", "Etc/UTC", "Etc/Universal", "Universal", "Zulu", "Etc/Zulu", "UCT", "Etc/UCT"]

    /// A zone by IANA name (`Europe/Berlin`), or `nil` if the system does not know it.
    public static func named(_ name: String) -> ZoneRules? {
        if name == "UTC" { return .utc }
        guard isPlausibleName(name) else { return nil }
        if let zone = ZoneInfo.named(name) { return ZoneRules(storage: .tzdata(zone)) }
        guard let zone = TimeZone(identifier: name), zone.identifier == name else { return nil }
        return ZoneRules(storage: .foundation(zone))
    }

    /// The zone of the process (`TZ`, else /etc/localtime).
    public static var local: ZoneRules {
        if let zone = ZoneInfo.local() {
            return utcNames.contains(zone.name) ? .utc : ZoneRules(storage: .tzdata(zone))
        }
        return ZoneRules(timeZone: TimeZone.current)
    }

    /// The tzdata zone of a Foundation time zone, falling back to Foundation's own rules.
    public init(timeZone: TimeZone) {
        if Self.utcNames.contains(timeZone.identifier) || timeZone.identifier == "GMT" && timeZone.secondsFromGMT() == 0 {
            storage = .utc
        } else if let zone = ZoneInfo.named(timeZone.identifier) {
            storage = .tzdata(zone)
        } else {
            storage = .foundation(timeZone)
        }
    }

    /// IANA names are made of letters, digits and `/_-+`, as systemd's `timezone_is_valid()` demands.
    static func isPlausibleName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic, !name.hasSuffix("/")
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "/_-+".unicodeScalars.contains($0))
        } && !name.contains("//") && !name.contains("..")
    }

    /// True for UTC.
    public var isUTC: Bool { storage == .utc }

    /// True when the zone never differs from UTC (`UTC`, `Etc/UTC`, a zone file with offset 0 only),
    /// which is when systemd leaves out the "(in UTC)" lines.
    public var isAlwaysUTC: Bool {
        switch storage {
        case .utc: return true
        case .tzdata(let zone):
            return zone.types.allSatisfy { $0.offset == 0 && !$0.isDST }
                && (zone.footer.map { $0.standard.offset == 0 && $0.daylight == nil } ?? true)
        case .foundation(let zone): return zone.secondsFromGMT() == 0 && zone.nextDaylightSavingTimeTransition == nil
        }
    }

    /// The zone's name (`UTC` for UTC).
    public var identifier: String {
        switch storage {
        case .utc: return "UTC"
        case .tzdata(let zone): return zone.name
        case .foundation(let zone): return zone.identifier
        }
    }

    public var description: String { identifier }

    /// Seconds east of UTC in force at `instant` (Unix seconds).
    public func offset(at instant: Int64) -> Int {
        switch storage {
        case .utc: return 0
        case .tzdata(let zone): return zone.offset(at: instant)
        case .foundation(let zone): return zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant)))
        }
    }

    /// The abbreviation in force at `instant` (`CET`, `EDT`, `+03`), as `strftime("%Z")` prints it.
    public func abbreviation(at instant: Int64) -> String {
        switch storage {
        case .utc: return "UTC"
        case .tzdata(let zone): return zone.local(at: instant).abbreviation
        case .foundation(let zone):
            return zone.abbreviation(for: Date(timeIntervalSince1970: TimeInterval(instant))) ?? zone.identifier
        }
    }

    /// Whether daylight saving time is in force at `instant`.
    public func isDaylightSavingTime(at instant: Int64) -> Bool {
        switch storage {
        case .utc: return false
        case .tzdata(let zone): return zone.isDaylightSavingTime(at: instant)
        case .foundation(let zone): return zone.isDaylightSavingTime(for: Date(timeIntervalSince1970: TimeInterval(instant)))
        }
    }

    /// The zone's standard and daylight abbreviations, as glibc's `tzname[]` holds them.
    public var abbreviationPair: (standard: String, daylight: String) {
        switch storage {
        case .utc: return ("UTC", "UTC")
        case .tzdata(let zone):
            if let footer = zone.footer {
                return (footer.standard.abbreviation, footer.daylight?.abbreviation ?? footer.standard.abbreviation)
            }
            let lastStandard = zone.transitionTypes.last { !zone.types[$0].isDST }.map { zone.types[$0].abbreviation }
            let lastDaylight = zone.transitionTypes.last { zone.types[$0].isDST }.map { zone.types[$0].abbreviation }
            let standard = lastStandard ?? zone.types.first?.abbreviation ?? ""
            return (standard, lastDaylight ?? standard)
        case .foundation(let zone):
            let standard = zone.abbreviation() ?? ""
            return (standard, standard)
        }
    }

    /// The offset of the nearest time with the given DST flag, probing a week at a time outwards
    /// for up to about 8.5 years as glibc's `mktime()` does for a forced `tm_isdst`; `nil` if none.
    func offset(near instant: Int64, daylightSavingTime: Bool) -> Int? {
        let stride: Int64 = 601_200
        var delta = stride
        while delta < 536_454_000 / 2 + stride {
            for probe in [instant - delta, instant + delta]
            where isDaylightSavingTime(at: probe) == daylightSavingTime {
                return offset(at: probe)
            }
            delta += stride
        }
        return nil
    }

    /// The wall clock at `instant`.
    func wallClock(at instant: Int64) -> LocalDateTime {
        LocalDateTime(localSeconds: instant + Int64(offset(at: instant)))
    }

    /// The instant a wall clock names, resolving gaps and overlaps like glibc's `mktime()`.
    ///
    /// Returns the instant and the offset used; the wall clock of the result differs from `clock`
    /// only when `clock` falls in a gap.
    func instant(of clock: LocalDateTime, preferredOffset: Int? = nil) -> (instant: Int64, offset: Int) {
        instant(localSeconds: clock.localSeconds, preferredOffset: preferredOffset)
    }

    func instant(localSeconds local: Int64, preferredOffset: Int? = nil) -> (instant: Int64, offset: Int) {
        if case .utc = storage { return (local, 0) }
        let before = offset(at: local - 86_400)
        let after = offset(at: local + 86_400)
        var fitting: [Int] = []
        for candidate in [before, after, offset(at: local - Int64(before))] where !fitting.contains(candidate) {
            if offset(at: local - Int64(candidate)) == candidate { fitting.append(candidate) }
        }
        if fitting.isEmpty {
            // In a gap: read with the offset before it, which lands after the gap.
            let instant = local - Int64(before)
            return (instant, offset(at: instant))
        }
        if fitting.count == 1 { return (local - Int64(fitting[0]), fitting[0]) }
        if let preferredOffset, fitting.contains(preferredOffset) {
            return (local - Int64(preferredOffset), preferredOffset)
        }
        let chosen = fitting.max()!
        return (local - Int64(chosen), chosen)
    }

    /// `instant` (microseconds) as systemd prints timestamps: `Sun 2026-10-25 03:00:00 CET`.
    public func format(microseconds: Int64) -> String {
        let seconds = microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000
        let clock = wallClock(at: seconds)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let weekday = Timestamp.weekdayAbbreviations[clock.weekday]
        let year = String(clock.year)
        let paddedYear = String(repeating: "0", count: max(0, 4 - year.count)) + year
        return "\(weekday) \(paddedYear)-\(two(clock.month))-\(two(clock.day)) "
            + "\(two(clock.hour)):\(two(clock.minute)):\(two(clock.second)) \(abbreviation(at: seconds))"
    }
}
