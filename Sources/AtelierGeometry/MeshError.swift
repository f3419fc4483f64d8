import AtelierText
import Foundation

/// Why a model file was refused, precisely enough for a person to fix it.
public enum MeshError: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case tooLarge(bytes: Int, limit: Int)
    case unknownFormat(String)
    /// Binary STL whose size does not match the triangle count in its header.
    case binarySizeMismatch(declaredTriangles: UInt32, expectedBytes: Int, actualBytes: Int)
    /// A coordinate that is NaN or infinite.
    case nonFinite(triangle: Int, vertex: Int, axis: String, line: Int?)
    /// A text file (ASCII STL, OBJ) that does not follow its grammar.
    case syntax(format: String, line: Int, message: Phrase)
    case faceIndexOutOfRange(line: Int, index: Int, vertexCount: Int)
    case noTriangles(format: String)
    case tooManyTriangles(count: Int, limit: Int)
    case implausibleSize(sizeMM: [Double], minMM: Double, maxMM: Double)
    /// The model encloses (almost) no volume: a flat or open surface, nothing to cast.
    case noVolume(volumeMM3: Double, minMM3: Double)
    /// Reading and analysing the model took longer than its time budget.
    case tooComplex(budgetSeconds: Double)

    /// The message in English.
    public var description: String { phrase.description }

    /// Why, in words for a person.
    public var phrase: Phrase {
        switch self {
        case .empty:
            return "The file is empty."
        case let .tooLarge(bytes, limit):
            return "The file is \(megabytes(bytes)) MB; the largest model accepted is \(megabytes(limit)) MB."
        case let .unknownFormat(detail):
            return "Not a binary STL, ASCII STL or OBJ file: \(detail)"
        case let .binarySizeMismatch(declared, expected, actual):
            if actual < expected {
                let whole = max(actual - 84, 0) / 50
                return
                    "Binary STL is truncated: its header declares \(declared) triangles (\(expected) bytes) but the file has \(actual) bytes, so it ends inside triangle \(whole + 1)."
            }
            return
                "Binary STL has the wrong triangle count: its header declares \(declared) triangles (\(expected) bytes) but the file has \(actual) bytes (\(actual - expected) bytes more)."
        case let .nonFinite(triangle, vertex, axis, line):
            if let line {
                return "Line \(line): triangle \(triangle), vertex \(vertex): the \(axis) coordinate is not a finite number."
            }
            return "triangle \(triangle), vertex \(vertex): the \(axis) coordinate is not a finite number."
        case let .syntax(format, line, message):
            return "\(format) line \(line): \(message)"
        case let .faceIndexOutOfRange(line, index, vertexCount):
            return "OBJ line \(line): face refers to vertex \(index), but the file defines \(vertexCount) vertices."
        case let .noTriangles(format):
            return "The \(format) file contains no triangles."
        case let .tooManyTriangles(count, limit):
            return "The model has \(count) triangles; the limit is \(limit)."
        case let .implausibleSize(size, minMM, maxMM):
            let dims = size.map { String(format: "%.3f", $0) }.joined(separator: " × ")
            return
                "The model measures \(dims) mm; a piece of jewelry must measure between \(minMM) and \(maxMM) mm along its largest side. Check that the file is in millimetres."
        case let .noVolume(volume, minimum):
            return
                "The model encloses \(String(format: "%.4f", volume)) mm³ of volume; a piece to cast must enclose at least \(minimum) mm³. A flat or open surface has no volume: close it into a solid."
        case let .tooComplex(seconds):
            return
                "The model could not be read and analysed within the \(String(format: "%g", seconds)) s allowed for one model; simplify it (fewer triangles) and upload it again."
        }
    }
}

/// Bytes as megabytes (2^20, as file managers count them) with one decimal where it matters: `125`, `100`, `0.5`.
private func megabytes(_ bytes: Int) -> String {
    let value = Double(bytes) / 1_048_576
    return value >= 10 ? String(Int(value.rounded())) : String(format: "%.1f", value)
}
