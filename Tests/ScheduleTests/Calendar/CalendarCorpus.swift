import Emulator

/// Calendar expressions the Schedule module is compared with systemd on: hand-picked ones that
/// cover each feature and edge, and a fixed pseudo-random set that mixes them.
enum CalendarCorpus {
    static let handPicked: [String] = [
        // Shorthands, in any case.
        "minutely", "hourly", "daily", "weekly", "monthly", "yearly", "annually", "quarterly", "semiannually",
        "semi-annually", "biannually", "DAILY", "Weekly", "hourly UTC", "daily Europe/Berlin", "weekly America/New_York",
        "monthly Asia/Kolkata", "quarterly Europe/Berlin",
        // Weekdays.
        "Mon", "Mon..Fri", "Mon-Fri", "Sat,Sun", "Sat,Sun 10:00", "Mon,Wed..Fri,Sun *-*-* 6:00", "monday 12:00",
        "Tue..Thu 9:30 UTC", "Mon,Tue,Wed,Thu,Fri,Sat,Sun", "Fri *-*-13", "Mon *-*-1..7 9:00", "Sun *-*~01..07 03:00",
        "Thu,Fri 2026-*-* 01:00", "Wed..Sat,Mon 00/4:00",
        // Dates, ranges, lists, repetition.
        "*-*-01 00:00", "*-*-* 00/2:00", "*-01,03,05..07-31 23:59:59", "2026-*-* 03:00", "26-12-25", "99-01-01",
        "2024,2028-02-29", "*-02-29", "*-02-29 12:00 UTC", "*-*-31", "*-04-31", "*-02-30", "*-*-01/8 7,5:*",
        "*-*-* 1..5/2:0", "2026..2030/2-06-15", "2025/3-1-1", "*-1/4-1", "*-6..12/3-01 06:00", "1,7-1", "12-25 08:00",
        "*-*-1,15 12:00", "*-*-* 8..18:00/30", "*-*-* *:0/15", "*:0/15", "*:*:30", "*-*-* *:*:*", "*:00..10",
        "0..10/3:00", "*-*-* 1,2,3:0,10,20", "0/6:00 Asia/Kolkata",
        // From the end of the month.
        "*-*~01", "*-*~1..3", "*-02~01", "*-02~3", "*-*~07/2", "*-02~01..04 12:00", "2028-02~01",
        // Seconds with decimals.
        "12:34:56.789", "*:*:0/7.5", "*:*:0/0.25", "*-*-* *:00:00.5", "*-*-* 23:59:59.999999", "1:2:3.1234567",
        "*:*:59.5 UTC",
        // Zones, DST gaps and overlaps.
        "*-*-* 02:30 Europe/Berlin", "*-*-* 02:00 Europe/Berlin", "*-*-* 03:00 Europe/Berlin",
        "*-*-* *:00/30 Europe/Berlin", "*-*-* 02:*:00/20 Europe/Berlin", "*-*-* 2:30 America/New_York",
        "*-*-* 1:30 America/New_York", "*-*-* 0/1:15 America/New_York", "*-*-* 02:30 Australia/Lord_Howe",
        "*-*-* 02:15 Australia/Sydney", "*-*-* 12:00 Pacific/Chatham", "*-*-* 00:00 America/Sao_Paulo",
        "*-*-* 02:30 Africa/Casablanca", "*-*-* 12:00 Asia/Tokyo", "Mon 09:00 America/Los_Angeles",
        "*-*-* 00:30 Europe/London", "*-*-* 01:30 Europe/London", "*-*-* 12:00 Etc/UTC",
        // Abbreviations of the process's zone force standard or daylight time (elsewhere CET and EST
        // are zones of their own, and EDT is unknown).
        "*-*-* 12:00 CET", "*-*-* 12:00 CEST", "*-*-* 12:00 EST", "Mon 09:00 EDT",
        // Instants.
        "@1800000000", "@1700000000", "2027-01-01 00:00 UTC", "2026-12-31 23:59:59 Asia/Tokyo",
    ]

    /// Expressions drawn from every feature, the same ones on every run.
    static func generated(count: Int, seed: UInt64) -> [String] {
        var random = SplitMix64(seed: seed)
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        func weekdays() -> String {
            let a = random.below(7)
            let b = random.below(7)
            switch random.unit() {
            case ..<0.3: return days[a]
            case ..<0.6: return days[a] + "," + days[b]
            default:
                let (low, high) = (min(a, b), max(a, b))
                return days[low] + ".." + days[high] + (random.unit() < 0.6 ? "" : "," + days[random.below(7)])
            }
        }
        func number(_ value: Int, width: Int) -> String {
            let text = String(value)
            return random.unit() < 0.5 ? String(repeating: "0", count: max(0, width - text.count)) + text : text
        }
        func field(_ low: Int, _ high: Int, width: Int) -> String {
            let choice = random.unit()
            if choice < 0.35 { return "*" }
            let a = low + random.below(high - low + 1)
            if choice < 0.6 { return number(a, width: width) }
            let b = low + random.below(high - low + 1)
            if choice < 0.75 { return number(a, width: width) + "," + number(b, width: width) }
            let (x, y) = (min(a, b), max(a, b))
            if choice < 0.88 { return number(x, width: width) + ".." + number(y, width: width) }
            if choice < 0.95 { return number(x, width: width) + "/" + String(1 + random.below(max(1, (high - low) / 3))) }
            return number(x, width: width) + ".." + number(y, width: width) + "/" + String(1 + random.below(3))
        }
        let years = ["2026", "2027", "2026,2028", "2025..2035", "2024/4", "27"]
        let endOfMonthDays = ["1", "01", "2", "3", "7", "1..3", "02..05", "7/2"]
        let seconds = ["00", "0", "*", "30", "0/15", "5,35", "10..20", "1.5", "0/0.5", "59.999999", "07/20"]
        let zones = [
            (0.15, " UTC"), (0.30, " Europe/Berlin"), (0.40, " America/New_York"), (0.45, " Asia/Kolkata"),
            (0.48, " Australia/Lord_Howe"),
        ]
        var result: [String] = []
        for _ in 0..<count {
            var parts: [String] = []
            if random.unit() < 0.3 { parts.append(weekdays()) }
            if random.unit() < 0.8 {
                let year = random.unit() < 0.8 ? "*" : years[random.below(years.count)]
                let month = field(1, 12, width: 2)
                let withYear = random.unit() < 0.7
                if random.unit() < 0.2 {
                    let day = "~" + endOfMonthDays[random.below(endOfMonthDays.count)]
                    parts.append((withYear ? year + "-" : "") + month + day)
                } else {
                    parts.append((withYear ? year + "-" : "") + month + "-" + field(1, 31, width: 2))
                }
            }
            var time = field(0, 23, width: 2) + ":" + field(0, 59, width: 2)
            if random.unit() < 0.5 { time += ":" + seconds[random.below(seconds.count)] }
            parts.append(time)
            let zoneChoice = random.unit()
            result.append(parts.joined(separator: " ") + (zones.first { zoneChoice < $0.0 }?.1 ?? ""))
        }
        return result
    }

    /// The hand-picked expressions, then generated ones, without repeats.
    static let all: [String] = {
        var seen = Set<String>()
        return (handPicked + generated(count: 200, seed: 0x7468_7265_6164)).filter { seen.insert($0).inserted }
    }()
}
