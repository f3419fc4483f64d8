import Tracing

/// Carries a trace across a boundary as a W3C `traceparent` string (into a job, an order, a header).
public enum TraceContext {
    /// The current trace as `traceparent`, or nil when nothing is being traced.
    public static func current() -> String? {
        guard let context = InstrumentationContext.current else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryInjector())
        return carrier["traceparent"]
    }

    /// The trace id and span id of the current span, for log lines.
    public static func currentIDs() -> (traceID: Substring, spanID: Substring)? {
        guard let traceparent = current() else { return nil }
        let parts = traceparent.split(separator: "-")
        return parts.count >= 3 ? (parts[1], parts[2]) : nil
    }

    /// A context that continues the trace of `traceparent` (a new top-level one when nil).
    public static func context(continuing traceparent: String?) -> InstrumentationContext {
        var context = InstrumentationContext.topLevel
        if let traceparent {
            InstrumentationSystem.instrument.extract(["traceparent": traceparent], into: &context, using: DictionaryExtractor())
        }
        return context
    }
}

struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}

struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}
