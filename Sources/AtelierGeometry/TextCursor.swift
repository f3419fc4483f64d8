#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A fast reader over the bytes of a text model file that knows its line number.
struct TextCursor {
    let bytes: UnsafeRawBufferPointer
    var position = 0
    var line = 1

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool { position >= bytes.count }

    /// Skips spaces and tabs, not line ends.
    mutating func skipBlanks() {
        while position < bytes.count {
            let b = bytes[position]
            guard b == 0x20 || b == 0x09 || b == 0x0D else { return }
            position += 1
        }
    }

    /// Skips all white space, counting lines.
    mutating func skipWhitespace() {
        while position < bytes.count {
            let b = bytes[position]
            if b == 0x0A {
                line += 1
            } else if !(b == 0x20 || b == 0x09 || b == 0x0D) {
                return
            }
            position += 1
        }
    }

    /// Moves past the end of the current line.
    mutating func skipLine() {
        while position < bytes.count {
            let b = bytes[position]
            position += 1
            if b == 0x0A {
                line += 1
                return
            }
        }
    }

    /// The next word (up to white space), without consuming line ends.
    mutating func word() -> Slice<UnsafeRawBufferPointer> {
        let start = position
        while position < bytes.count {
            let b = bytes[position]
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { break }
            position += 1
        }
        return bytes[start..<position]
    }

    /// True when the next word equals `keyword` (case-insensitive); consumes it then.
    mutating func consume(_ keyword: StaticString) -> Bool {
        let count = keyword.utf8CodeUnitCount
        guard bytes.count - position >= count else { return false }
        let k = keyword.utf8Start
        for i in 0..<count where bytes[position + i] | 0x20 != k[i] | 0x20 { return false }
        let end = position + count
        if end < bytes.count {
            let b = bytes[end]
            guard b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D else { return false }
        }
        position = end
        return true
    }

    /// A short, printable rendering of the text at the cursor, for error messages.
    func preview(_ slice: Slice<UnsafeRawBufferPointer>? = nil) -> String {
        let start = slice?.startIndex ?? position
        var end = start
        while end < bytes.count, end - start < 40, bytes[end] != 0x0A, bytes[end] != 0x0D { end += 1 }
        if end == start { return start >= bytes.count ? "end of file" : "an empty line" }
        let text = String(decoding: bytes[start..<end], as: UTF8.self)
        return "'\(text)'"
    }

    /// Parses a decimal number at the cursor (after blanks). Returns nil when there is none.
    ///
    /// Uses an exact fast path (mantissa below 2^53, power of ten up to 22) and falls back to
    /// `strtod` for anything else, so results equal the correctly rounded value.
    mutating func number() -> Double? {
        skipBlanks()
        let start = position
        var i = position
        let n = bytes.count
        var negative = false
        if i < n, bytes[i] == 0x2D || bytes[i] == 0x2B {
            negative = bytes[i] == 0x2D
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var sawDigit = false
        while i < n, bytes[i] &- 0x30 < 10 {
            sawDigit = true
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 0x30) } else { exponent += 1 }
            if mantissa != 0 { digits += 1 }
            i += 1
        }
        if i < n, bytes[i] == 0x2E {
            i += 1
            while i < n, bytes[i] &- 0x30 < 10 {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(bytes[i] &- 0x30)
                    exponent -= 1
                    if mantissa != 0 { digits += 1 }
                }
                sawDigit = true
                i += 1
            }
        }
        guard sawDigit else { return special(from: start) }
        if i < n, bytes[i] | 0x20 == 0x65 {  // e or E
            var j = i + 1
            var expNegative = false
            if j < n, bytes[j] == 0x2D || bytes[j] == 0x2B {
                expNegative = bytes[j] == 0x2D
                j += 1
            }
            var value = 0
            let expStart = j
            while j < n, bytes[j] &- 0x30 < 10 {
                if value < 100_000 { value = value * 10 + Int(bytes[j] &- 0x30) }
                j += 1
            }
            guard j > expStart else { return nil }
            exponent += expNegative ? -value : value
            i = j
        }
        guard i >= n || isDelimiter(bytes[i]) else { return nil }
        position = i
        if digits < 19, mantissa < (1 << 53), exponent >= -22, exponent <= 22 {
            let m = Double(mantissa)
            let value = exponent < 0 ? m / Self.powersOfTen[-exponent] : m * Self.powersOfTen[exponent]
            return negative ? -value : value
        }
        return slowParse(start..<i)
    }

    private func isDelimiter(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x2F  // '/' ends OBJ face indices
    }

    /// `nan`, `inf`, `infinity` with optional sign: parsed so the caller can report a non-finite value.
    private mutating func special(from start: Int) -> Double? {
        var end = start
        while end < bytes.count, !isDelimiter(bytes[end]) { end += 1 }
        let text = String(decoding: bytes[start..<end], as: UTF8.self).lowercased()
        let body = text.trimmingPrefix { $0 == "-" || $0 == "+" }
        guard ["nan", "inf", "infinity"].contains(String(body)) else { return nil }
        position = end
        return body == "nan" ? .nan : (text.hasPrefix("-") ? -.infinity : .infinity)
    }

    private func slowParse(_ range: Range<Int>) -> Double? {
        var buffer = [CChar](repeating: 0, count: range.count + 1)
        for (k, index) in range.enumerated() { buffer[k] = CChar(bitPattern: bytes[index]) }
        return buffer.withUnsafeBufferPointer { strtod($0.baseAddress!, nil) }
    }

    private static let powersOfTen: [Double] = (0...22).map { k in
        var value = 1.0
        for _ in 0..<k { value *= 10 }
        return value
    }
}
