import AtelierTelemetry
import Foundation

extension JSONEncoder {
    /// Plain slashes and ISO 8601 UTC dates with milliseconds: the JSON of the APIs and the webhooks.
    /// Keys come in the order the types declare them (sorting them costs a locale-aware comparison
    /// per key on every response).
    public static let atelier: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(Timestamp.iso8601(date))
        }
        return encoder
    }()
}

extension JSONDecoder {
    /// Reads what ``JSONEncoder/atelier`` writes: ISO 8601 dates, with or without fractional seconds.
    public static let atelier: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return date }
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an ISO 8601 date: \(text)"))
        }
        return decoder
    }()
}
