/// The small, realistic vocabulary seeded threads and messages are drawn from.
///
/// Every choice comes from a `SplitMix64`, so a seed value always yields the same inventory.
public enum SeedVocabulary {
    static let tags = ["support", "sales", "billing", "onboarding", "feedback", "internal"]
    static let tenants = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka"]
    static let channels = ["web", "email", "slack", "api"]
    static let userLines = [
        "Hi, I cannot log in since this morning.",
        "How do I export my invoices as CSV?",
        "Can you upgrade our plan to the team tier?",
        "The dashboard shows a 500 error after the update.",
        "Please cancel my subscription at the end of the month.",
        "What are your data retention terms?",
        "Is there an API limit on the free plan?",
        "Thanks, that fixed it!",
    ]
    static let assistantLines = [
        "I'm sorry about that. Could you tell me which browser you use?",
        "You can export invoices from Settings > Billing > Export.",
        "Done: your workspace is now on the team tier.",
        "Our engineers are looking into it; I'll keep you posted.",
        "Your subscription will end on the last day of this month.",
        "We keep conversation data for 30 days unless a legal hold applies.",
    ]

    /// Metadata for a seeded thread: usually a tag and a tenant, sometimes a channel, rarely a legal hold.
    static func metadata(_ random: inout SplitMix64) -> [(String, String)] {
        var pairs: [(String, String)] = []
        if random.below(10) < 9 { pairs.append(("tag", tags[random.below(tags.count)])) }
        if random.below(10) < 8 { pairs.append(("tenant", tenants[random.below(tenants.count)])) }
        if random.below(2) == 0 { pairs.append(("channel", channels[random.below(channels.count)])) }
        if random.below(50) == 0 { pairs.append(("legal_hold", "true")) }
        return pairs
    }

    /// The messages of a seeded thread, derived from its message seed alone.
    ///
    /// The first message is the thread's opening; later ones follow minutes to days apart, never after `now`.
    public static func messages(seed: UInt64, count: Int, createdAt: Int64, now: Int64) -> [StoredMessage] {
        var random = SplitMix64(seed: seed)
        var time = createdAt
        var messages: [StoredMessage] = []
        messages.reserveCapacity(count)
        for index in 0..<count {
            if index > 0 { time = min(now, time + Int64(60 + random.below(3 * 86_400))) }
            let user = index % 2 == 0
            let line = user ? userLines[random.below(userLines.count)] : assistantLines[random.below(assistantLines.count)]
            messages.append(
                StoredMessage(
                    id: random.identifier(prefix: "msg_"), createdAt: time, role: user ? "user" : "assistant",
                    content: [.text(line)]))
        }
        return messages
    }
}
