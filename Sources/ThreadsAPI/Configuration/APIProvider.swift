/// A provider profile: the base URL and headers a compatible API expects.
public enum APIProvider: String, Sendable, Hashable, CaseIterable {
    /// AI/ML API: `https://api.aimlapi.com`, paths `/threads…`.
    case aimlapi
    /// OpenAI Assistants v2: `https://api.openai.com/v1` with `OpenAI-Beta: assistants=v2`.
    case openai
    /// Anything compatible; `BaseURL=` is required.
    case custom

    /// The base URL used when `BaseURL=` is not set; nil for `custom`.
    public var defaultBaseURL: String? {
        switch self {
        case .aimlapi: return "https://api.aimlapi.com"
        case .openai: return "https://api.openai.com/v1"
        case .custom: return nil
        }
    }

    /// Headers the profile adds to every request (configured headers may override them).
    public var headers: [String: String] {
        switch self {
        case .openai: return ["OpenAI-Beta": "assistants=v2"]
        case .aimlapi, .custom: return [:]
        }
    }

    /// Parses `Provider=`, case-insensitively.
    public init?(name: String) {
        self.init(rawValue: name.lowercased())
    }
}
