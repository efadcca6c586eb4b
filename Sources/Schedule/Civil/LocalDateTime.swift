/// A wall-clock reading: date and time of day without a zone, seconds since 00:00 of 1970-01-01.
struct LocalDateTime: Hashable, Sendable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int

    /// The reading as seconds of a day count that ignores zones ("local seconds").
    var localSeconds: Int64 {
        CivilDate.days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    /// The reading at `localSeconds` (as produced by the property of the same name).
    init(localSeconds: Int64) {
        let days = localSeconds >= 0 ? localSeconds / 86_400 : (localSeconds - 86_399) / 86_400
        let secondOfDay = Int(localSeconds - days * 86_400)
        let date = CivilDate.date(days: days)
        self.init(
            year: date.year, month: date.month, day: date.day, hour: secondOfDay / 3600,
            minute: secondOfDay / 60 % 60, second: secondOfDay % 60)
    }

    /// 0 is Sunday … 6 is Saturday.
    var weekday: Int { CivilDate.weekday(days: CivilDate.days(year: year, month: month, day: day)) }
}
