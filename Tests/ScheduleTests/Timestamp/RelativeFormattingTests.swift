import Testing

@testable import Schedule

@Suite struct RelativeFormattingTests {
    static let now: Int64 = 1_795_507_800_000_000

    @Test(arguments: [
        (Int64(0), "now"),
        (500, "500us left"),
        (1_500, "1ms left"),
        (59_000_000, "59s left"),
        (61_000_000, "1min 1s left"),
        (600_000_000, "10min left"),
        (5_400_000_000, "1h 30min left"),
        (54_000_000_000, "15h left"),
        (97_200_000_000, "1 day 3h left"),
        (259_200_000_000, "3 days left"),
        (2_592_000_000_000, "4 weeks 2 days left"),
        (8_000_000_000_000, "3 months 1 day left"),
        (31_557_600_000_000, "1 year 0 months left"),
        (-2_592_000_000_000, "4 weeks 2 days ago"),
    ])
    func wordsLikeSystemd(offset: Int64, text: String) {
        #expect(Timestamp.formatRelative(microseconds: Self.now + offset, now: Self.now) == text)
    }
}
