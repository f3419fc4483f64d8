import AtelierDomain
import AtelierStorage
import AtelierText
import Foundation

/// `Idempotency-Key` handling: a stored key answers a retried request with the first result.
enum Idempotency {
    /// Runs `write`, which replays an earlier answer when the key is known. Two requests with the
    /// same key at the same moment both miss it; the second to commit collides on the key's row
    /// (PostgreSQL makes it wait for the first and then refuses it), so it runs once more and
    /// now finds the first one's answer to replay. No database message reaches the client.
    static func once<T: Sendable>(key: String?, _ write: () async throws -> T) async throws -> T {
        do {
            return try await write()
        } catch StorageError.conflict where key != nil {
            return try await write()
        }
    }

    /// The id made by an earlier request with this key, or nil for a new key.
    /// Throws when the key was used with a different request.
    static func replay(_ tx: any StoreTransaction, scope: String, key: String?, fingerprint: String) async throws -> String? {
        try await earlier(tx, scope: scope, key: key, fingerprint: fingerprint)?.resultID
    }

    /// The stored record of an earlier request with this key, or nil for a new key.
    /// Throws when the key is malformed or was used with a different request.
    static func earlier(_ reader: any StoreReader, scope: String, key: String?, fingerprint: String) async throws -> IdempotencyRecord? {
        guard let key = try validated(key), let record = try await reader.idempotency(scope: scope, key: key) else { return nil }
        guard record.requestHash == sha256Hex(Data(fingerprint.utf8)) else {
            throw DomainError.invalid("Idempotency-Key '\(key)' was already used with a different request.")
        }
        return record
    }

    static func remember(
        _ tx: any StoreTransaction, scope: String, key: String?, fingerprint: String, resultID: String, at now: Date,
        response: String? = nil
    ) async throws {
        guard let key = try validated(key) else { return }
        try await tx.insert(
            idempotency: IdempotencyRecord(
                scope: scope, key: key, requestHash: sha256Hex(Data(fingerprint.utf8)), resultID: resultID, createdAt: now,
                response: response))
    }

    private static func validated(_ key: String?) throws -> String? {
        guard let key else { return nil }
        guard !key.isEmpty, key.utf8.count <= 200, key.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw DomainError.invalid("An Idempotency-Key is 1 to 200 visible ASCII characters.")
        }
        return key
    }
}
