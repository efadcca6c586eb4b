import Ledger
import Schedule
import TestSupport
import Testing
import UnitFile

@testable import Rules

struct RuleReaderTests {
    static let now: Int64 = 1_780_000_000

    @Test func readsEveryKey() throws {
        let text = """
            [Rule]
            Description=Tag old support threads
            Schedule=*-*-* 03:00:00 UTC
            Action=tag
            Enabled=no

            [Match]
            OlderThan=30d
            NewerThan=1y
            CreatedBefore=2026-06-01 00:00:00 UTC
            CreatedAfter=@1700000000
            Metadata=tag=sup*
            Metadata=tenant
            Metadata=!legal_hold
            Metadata=!tier=gold
            IdleFor=2w 3d
            ActiveWithin=12h
            Source=import sync
            State=live gone

            [Action]
            Verify=stale
            VerifyWindow=2h
            Set=retention=expiring
            Set=reviewed=no

            [Limits]
            MaxThreads=5000
            MaxFraction=12.5%
            RequestsPerSecond=2.5
            Concurrency=4
            """
        let (rule, diagnostics) = Rule.parse(text: text, file: "/etc/rules.d/tag-old.rule", now: Self.now)
        #expect(diagnostics.isEmpty)
        let r = try #require(rule)
        #expect(r.name == "tag-old")
        #expect(r.description == "Tag old support threads")
        #expect(r.schedule?.text == "*-*-* 03:00:00 UTC")
        #expect(r.schedule?.normalized == "*-*-* 03:00:00 UTC")
        // 1_780_000_000 is 2026-05-28 20:26:40 UTC; the next 03:00 UTC is 2026-05-29 03:00:00.
        #expect(r.schedule?.nextElapse(after: Self.now) == 1_780_023_600)
        let following: Int64? = r.schedule?.nextElapse(after: 1_780_023_600)
        #expect(following == Int64(1_780_110_000))
        #expect(r.action == .tag)
        #expect(r.enabled == false)
        #expect(r.match.olderThan == TimeSpan.seconds(30 * 86400))
        #expect(r.match.newerThan == TimeSpan.seconds(31_557_600))
        #expect(r.match.createdBefore == "2026-06-01 00:00:00 UTC")
        #expect(r.match.createdAfter == "@1700000000")
        #expect(r.match.metadata.map(\.description) == ["tag=sup*", "tenant", "!legal_hold", "!tier=gold"])
        #expect(r.match.metadata[0].test == .matches(Glob("sup*")))
        #expect(r.match.metadata[1].test == .present)
        #expect(r.match.metadata[2].test == .absent)
        #expect(r.match.metadata[3].test == .doesNotMatch(Glob("gold")))
        #expect(r.match.idleFor == TimeSpan.seconds(17 * 86400))
        #expect(r.match.activeWithin == TimeSpan.seconds(12 * 3600))
        #expect(r.match.sources == [.import, .sync])
        #expect(r.match.states == [.live, .gone])
        #expect(r.options.verify == .stale)
        #expect(r.options.verifyWindow == TimeSpan.seconds(7200))
        #expect(
            r.options.set == [MetadataAssignment(key: "retention", value: "expiring"), MetadataAssignment(key: "reviewed", value: "no")])
        #expect(r.limits == RuleLimits(maxThreads: 5000, maxFraction: 12.5, requestsPerSecond: 2.5, concurrency: 4))
        #expect(r.text == text)
        #expect(r.digest == SHA256.hex(of: Array(text.utf8)))
    }

    @Test func scheduleShorthandsNormalizeLikeSystemd() throws {
        let (rule, diagnostics) = Rule.parse(text: "[Rule]\nAction=report\nSchedule=daily\n", file: "d.rule", now: Self.now)
        #expect(diagnostics.isEmpty)
        #expect(rule?.schedule?.normalized == "*-*-* 00:00:00")
    }

    @Test func defaults() throws {
        let (rule, diagnostics) = Rule.parse(text: "[Rule]\nAction=report\n", file: "audit.rule", now: Self.now)
        #expect(diagnostics.isEmpty)
        let r = try #require(rule)
        #expect(r.enabled && r.schedule == nil && r.description == nil)
        #expect(r.match == RuleMatch())
        #expect(r.match.states == [.live])
        #expect(r.options == RuleActionOptions())
        #expect(r.options.verify == .always && r.options.archive == false)
        #expect(r.limits == RuleLimits())
    }

    @Test func deleteWithArchiveAndUntagWithRemove() throws {
        let delete = Rule.parse(
            text: "[Rule]\nAction=delete\n[Match]\nOlderThan=90d\n[Action]\nArchive=yes\nVerify=never\n", file: "d.rule", now: Self.now)
        #expect(delete.1.isEmpty)
        #expect(delete.0?.options.archive == true && delete.0?.options.verify == .never)
        let untag = Rule.parse(
            text: "[Rule]\nAction=untag\n[Action]\nRemove=a\nRemove=b\nRemove=\nRemove=c\n", file: "u.rule", now: Self.now)
        #expect(untag.1.isEmpty)
        #expect(untag.0?.options.remove == ["c"])
    }

    @Test func repeatedListsAccumulateAndResetAndPercentWithoutSign() throws {
        let text =
            "[Rule]\nAction=report\n[Match]\nSource=import\nSource=create\nState=gone\nState=\nState=deleted\n[Limits]\nMaxFraction=25\n"
        let (rule, diagnostics) = Rule.parse(text: text, file: "r.rule", now: Self.now)
        #expect(diagnostics.isEmpty)
        #expect(rule?.match.sources == [.import, .create])
        #expect(rule?.match.states == [.deleted])
        #expect(rule?.limits.maxFraction == 25)
    }

    @Test func digestIsOfTheFileBytes() throws {
        let bytes: [UInt8] = Array("[Rule]\r\nAction=report\r\n".utf8)
        let (rule, _) = Rule.parse(bytes: bytes, file: "x.rule", now: Self.now)
        #expect(rule?.digest == SHA256.hex(of: bytes))
        #expect(rule?.digest.count == 64)
    }

    @Test func aBrokenRuleYieldsNoRuleButEveryFinding() {
        let text = "[Rule]\nAction=delet\n[Match]\nOlderThen=30d\nIdleFor=soon\n[Limits]\nMaxThreads=-1\n"
        let (rule, diagnostics) = Rule.parse(text: text, file: "x.rule", now: Self.now)
        #expect(rule == nil)
        #expect(diagnostics.map(\.line) == [4, 2, 5, 7])
    }

    @Test func budgetIsCheckedOnlyWhenGiven() {
        let text = "[Rule]\nAction=report\n[Limits]\nRequestsPerSecond=10\nConcurrency=16\n"
        #expect(Rule.parse(text: text, file: "x.rule", now: Self.now).1.isEmpty)
        let (_, diagnostics) = Rule.parse(
            text: text, file: "x.rule", budget: RuleBudget(requestsPerSecond: 5, concurrency: 8), now: Self.now)
        #expect(diagnostics.count == 2)
    }
}
