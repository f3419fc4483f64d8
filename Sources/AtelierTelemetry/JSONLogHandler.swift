import Foundation
import Logging
import Synchronization

/// Writes one JSON object per line: time, level, message, label, source and every metadata value.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    let label: String
    let output: @Sendable (String) -> Void

    public init(
        label: String, level: Logger.Level = .info, metadataProvider: Logger.MetadataProvider? = .traceIDs,
        output: @escaping @Sendable (String) -> Void = JSONLogHandler.standardError
    ) {
        self.label = label
        self.logLevel = level
        self.metadataProvider = metadataProvider
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let provided = metadataProvider?.get() ?? [:]
        let own = metadata
        let given = event.metadata ?? [:]
        // Where two sources name one key, the event's value wins over the logger's, and the logger's
        // over the provider's; the four fields of every line win over all of them.
        var fields: [(key: String, value: String)] = [
            ("time", Timestamp.iso8601(Date())), ("level", event.level.rawValue), ("message", "\(event.message)"), ("label", label),
        ]
        fields.reserveCapacity(fields.count + given.count + own.count + provided.count)
        for (key, value) in given where !Self.isFixed(key) { fields.append((key, Self.text(value))) }
        for (key, value) in own where given[key] == nil && !Self.isFixed(key) { fields.append((key, Self.text(value))) }
        for (key, value) in provided where given[key] == nil && own[key] == nil && !Self.isFixed(key) {
            fields.append((key, Self.text(value)))
        }
        output(Self.line(fields))
    }

    private static func isFixed(_ key: String) -> Bool { key == "time" || key == "level" || key == "message" || key == "label" }

    private static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case let .string(text): text
        case let .stringConvertible(convertible): convertible.description
        default: value.description
        }
    }

    /// One JSON object with the keys in byte order. Written by hand: a log line is written for
    /// every request, and JSONSerialization's locale-aware key sorting cost a fifth of a request.
    static func line(_ fields: [(key: String, value: String)]) -> String {
        var out = "{"
        out.reserveCapacity(fields.reduce(2) { $0 + $1.key.utf8.count + $1.value.utf8.count + 6 })
        for (index, field) in fields.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if index > 0 { out += "," }
            escape(field.key, into: &out)
            out += ":"
            escape(field.value, into: &out)
        }
        return out + "}"
    }

    static func escape(_ text: String, into out: inout String) {
        out += "\""
        // Nearly every value needs no escaping: it is copied whole.
        if JSONText.needsNoEscaping(text) {
            out += text
            out += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20:
                let hexDigits = Array("0123456789abcdef")
                out += "\\u00" + String(hexDigits[Int(control.value >> 4)]) + String(hexDigits[Int(control.value & 0xF)])
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private static let lock = Mutex(())

    /// Writes a line to standard error, whole (lines from many threads never interleave).
    public static let standardError: @Sendable (String) -> Void = { line in
        var whole = line
        whole += "\n"
        lock.withLock { _ in
            whole.withUTF8 { bytes in
                var rest = UnsafeRawBufferPointer(bytes)
                while !rest.isEmpty {
                    let written = write(2, rest.baseAddress, rest.count)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return  // standard error is gone: a log line is never worth stopping for
                    }
                    rest = UnsafeRawBufferPointer(rebasing: rest[written...])
                }
            }
        }
    }
}

/// What JSON strings written by hand share.
public enum JSONText {
    /// True when `text` goes into a JSON string as it is: no quote, backslash or control character.
    public static func needsNoEscaping(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
    }
}

extension Logger.MetadataProvider {
    /// `trace.id` and `span.id` of the span current where the line is logged.
    public static let traceIDs = Logger.MetadataProvider {
        guard let ids = TraceContext.currentIDs() else { return [:] }
        return ["trace.id": "\(ids.traceID)", "span.id": "\(ids.spanID)"]
    }
}

/// Sets up logging for the process once: JSON lines at `level`.
public enum Telemetry {
    public static func bootstrapLogging(level: String) {
        let parsed = Logger.Level(rawValue: level.lowercased()) ?? .info
        LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: parsed) }
    }
}
