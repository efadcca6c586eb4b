extension CalendarSpec {
    /// Parses an `OnCalendar=` expression.
    ///
    /// Accepts what systemd 252's `calendar_spec_from_string()` accepts; throws `CalendarSpecError`
    /// naming the part it could not read.
    public static func parse(_ text: String) throws -> CalendarSpec {
        try parse(text, localZone: .local)
    }

    /// Parses an expression as a process whose zone is `localZone` would: a trailing abbreviation
    /// of that zone (`CET` or `CEST` under Europe/Berlin) forces standard or daylight time.
    public static func parse(_ text: String, localZone: ZoneRules) throws -> CalendarSpec {
        var parser = CalendarSpecParser(text: text, localZone: localZone)
        return try parser.parse()
    }
}
