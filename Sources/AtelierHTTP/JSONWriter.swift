import AtelierServices
import AtelierTelemetry
import Foundation

/// Writes JSON straight into bytes, for the hottest answers (an order's page). `JSONEncoder`'s
/// generic containers took the largest share of the CPU of an order read (docs/performance.md);
/// this writes the same JSON (a test holds the two equal) at a fraction of the cost. Keys are
/// written as given; strings are escaped as RFC 8259 requires, slashes left plain (as
/// `JSONEncoder.atelier` does); a `nil` optional leaves its key out, as `Codable` does.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    /// Per open object or array: whether it has a member yet (a comma goes before the next).
    private var filled: [Bool] = []
    /// A key was just written: its value follows without a comma.
    private var afterKey = false

    init(capacity: Int = 2048) { bytes.reserveCapacity(capacity) }

    mutating func object(_ body: (inout JSONWriter) throws -> Void) rethrows {
        open(UInt8(ascii: "{"))
        try body(&self)
        close(UInt8(ascii: "}"))
    }

    mutating func array<S: Sequence>(_ items: S, _ element: (inout JSONWriter, S.Element) throws -> Void) rethrows {
        open(UInt8(ascii: "["))
        for item in items { try element(&self, item) }
        close(UInt8(ascii: "]"))
    }

    mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        afterKey = true
    }

    // MARK: Values

    mutating func string(_ value: String) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        // Nearly every string needs no escaping: it is copied whole.
        if JSONText.needsNoEscaping(value) {
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(contentsOf: [hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func integer(_ value: Int64) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// A finite number as `JSONEncoder` writes it: integral values without a fraction.
    mutating func number(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "A number in JSON must be finite."))
        }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            integer(Int64(value))
        } else {
            separate()
            bytes.append(contentsOf: value.description.utf8)
        }
    }

    /// A value written before by another writer (one complete JSON value).
    mutating func raw(_ value: [UInt8]) {
        separate()
        bytes.append(contentsOf: value)
    }

    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    mutating func date(_ value: Date) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        Timestamp.append(value, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: Fields (a key and its value; an absent optional writes nothing)

    mutating func field(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    mutating func field(_ name: StaticString, _ value: Date?) {
        guard let value else { return }
        key(name)
        date(value)
    }

    mutating func field(_ name: StaticString, _ value: Int) {
        key(name)
        integer(Int64(value))
    }

    mutating func field(_ name: StaticString, _ value: Int64) {
        key(name)
        integer(value)
    }

    mutating func field(_ name: StaticString, _ value: Double) throws {
        key(name)
        try number(value)
    }

    mutating func field(_ name: StaticString, _ value: Bool) {
        key(name)
        bool(value)
    }

    mutating func field(_ name: StaticString, _ values: [String]) {
        key(name)
        array(values) { $0.string($1) }
    }

    mutating func field(_ name: StaticString, _ values: [Double]) throws {
        key(name)
        try array(values) { try $0.number($1) }
    }

    // MARK: Structure

    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        if let last = filled.indices.last {
            if filled[last] { bytes.append(UInt8(ascii: ",")) }
            filled[last] = true
        }
    }

    private mutating func open(_ bracket: UInt8) {
        separate()
        bytes.append(bracket)
        filled.append(false)
    }

    private mutating func close(_ bracket: UInt8) {
        filled.removeLast()
        bytes.append(bracket)
    }
}
