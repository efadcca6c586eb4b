import Foundation
import Testing

@testable import ThreadkeeperCLI

/// `doctor`'s clock check reads the server's `Date` header with libc, not a DateFormatter.
struct DoctorClockTests {
    static let server = Date(timeIntervalSince1970: 1_796_524_800)  // Sun, 06 Dec 2026 02:40:00 GMT

    func check(_ header: String?, now: Date) -> DoctorReport.Check? {
        var report = DoctorReport()
        Doctor.clock(header, now: now, &report)
        return report.checks.first
    }

    @Test func anHTTPDateIsComparedWithTheLocalClock() throws {
        let header = "Sun, 06 Dec 2026 02:40:00 GMT"
        let same = try #require(check(header, now: Self.server.addingTimeInterval(2)))
        #expect(same.status == .ok)
        #expect(same.detail == "the local clock is 2 s ahead of the server's Date")
        let behind = try #require(check(header, now: Self.server.addingTimeInterval(-600)))
        #expect(behind.status == .warning)
        #expect(behind.detail.hasPrefix("the local clock is 600 s behind the server's Date"))
    }

    @Test(arguments: [
        "Sun, 06 Dec 2026 02:40:00 UTC", "2026-12-06T02:40:00Z", "Sun, 06 Dec 2026 02:40:00 GMT trailing", "",
        "Sun, 6 Dec 2026 02:40:00 GMT", "Sun, 06 Dez 2026 02:40:00 GMT", "Sun, 06 Dec 2026 24:40:00 GMT", "Sun, 06 Dec 2026 2:40:00 GMT",
    ])
    func anythingElseIsNotAnHTTPDate(header: String) throws {
        let result = try #require(check(header, now: Self.server))
        #expect(result.status == .warning)
        #expect(result.detail.contains("is not an HTTP date"))
    }
}
