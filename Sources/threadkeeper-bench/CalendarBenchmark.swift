import Foundation
import Schedule

/// `threadkeeper-bench calendar [COUNT]`: next-elapse computations per second, and parses per second.
enum CalendarBenchmark {
    static let expressions = [
        "daily UTC", "*:0/15 UTC", "Mon..Fri *-*-* 03:00 Europe/Berlin", "*-*~01 23:30 America/New_York",
        "*-02-29 12:00 UTC", "Sat,Sun *-*-1..7 04:00:00 Europe/Berlin",
    ]

    static func run(_ arguments: [String]) throws {
        let count = arguments.first.flatMap(Int.init) ?? 20_000
        let base: Int64 = 1_767_225_600_000_000  // 2026-01-01 00:00:00 UTC
        for expression in expressions {
            let spec = try CalendarSpec.parse(expression)
            let start = DispatchTime.now().uptimeNanoseconds
            var next = base
            var computed = 0
            while computed < count, let elapse = spec.nextElapse(afterMicroseconds: next, localZone: .utc) {
                next = elapse
                computed += 1
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let rate = Int(Double(computed) / seconds)
            print("calendar: \(expression): \(computed) next elapses in \(String(format: "%.3f", seconds)) s, \(rate)/s")
        }
        let parseStart = DispatchTime.now().uptimeNanoseconds
        var parsed = 0
        for _ in 0..<(count / 10) {
            for expression in expressions {
                _ = try CalendarSpec.parse(expression)
                parsed += 1
            }
        }
        let parseSeconds = Double(DispatchTime.now().uptimeNanoseconds - parseStart) / 1e9
        print("calendar: \(parsed) parses in \(String(format: "%.3f", parseSeconds)) s, \(Int(Double(parsed) / parseSeconds))/s")
    }
}
