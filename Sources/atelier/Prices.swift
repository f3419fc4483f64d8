import ArgumentParser
import AtelierDomain
import AtelierServices
import Foundation

/// `atelier prices`: the price list, for admins at the command line (the admin pages change one
/// material at a time; a new installation starts here, or with `atelier demo`).
struct Prices: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prices", abstract: "Show the price list, or load a whole new one from a JSON file.",
        subcommands: [Show.self, Load.self])

    /// As the partner commands: a new data folder first gets what `serve` would give it.
    static func run<T>(_ body: (UseCases) async throws -> T) async throws -> T { try await Partners.run(body) }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }

    /// A JSON file an admin loads (at most 1 MB), or a message that says what is wrong with it.
    static func decode<T: Decodable>(_ type: T.Type, file: String, what: String) throws -> T {
        let url = URL(fileURLWithPath: file)
        guard let size = try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int else {
            throw CommandFailure("There is no file \(file).")
        }
        guard size <= 1 << 20 else { throw CommandFailure("\(file) is \(size) bytes; \(what) has at most 1 MB.") }
        do {
            return try JSONDecoder().decode(T.self, from: Data(contentsOf: url))
        } catch let error as DecodingError {
            throw CommandFailure("\(file) is not \(what): \(Load.describe(error))")
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the current price list as JSON (the format `load` reads).")

        func run() async throws {
            let list = try await Prices.run { try await $0.admin.priceList() }
            print(String(decoding: try Prices.encoder.encode(list), as: UTF8.self))
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load a price list from a JSON file as the next version (amounts in minor units: kopecks, cents).",
            discussion: "examples/price-list.json is one, in roubles. Orders priced already keep the version they were priced with.")
        @Argument(help: "The price list, as `atelier prices show` prints it (its version is replaced by the next one).") var file: String

        func run() async throws {
            let list = try Prices.decode(PriceList.self, file: file, what: "a price list")
            let saved = try await Prices.run { try await $0.admin.load(priceList: list) }
            print(
                "Loaded price list version \(saved.version) in \(saved.currency): \(saved.materials.count) materials, \(saved.finishes.count) finishes."
            )
        }

        static func describe(_ error: DecodingError) -> String {
            switch error {
            case let .keyNotFound(key, _): "the field '\(key.stringValue)' is missing."
            case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
                "\(context.debugDescription) (at '\(context.codingPath.map(\.stringValue).joined(separator: "."))')"
            @unknown default: "\(error)"
            }
        }
    }
}
