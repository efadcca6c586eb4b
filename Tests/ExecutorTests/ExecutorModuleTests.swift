import Testing

@testable import Executor

@Test func ExecutorModuleLinks() {
    #expect(String(describing: ExecutorModule.self) == "ExecutorModule")
}
