import Testing

@testable import Schedule

@Test func ScheduleModuleLinks() {
    #expect(String(describing: ScheduleModule.self) == "ScheduleModule")
}
