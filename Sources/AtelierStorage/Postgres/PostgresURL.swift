import Foundation
import NIOSSL
import PostgresNIO

/// What `ATELIER_DATABASE_URL` says: where the server is, who connects, and how the connection is
/// protected. `sslmode` and `sslrootcert` mean what they mean to libpq (`psql`), so one URL serves
/// both:
///
/// - `disable`: never TLS;
/// - `allow`, `prefer` (the default): TLS when the server offers it, its certificate not checked;
/// - `require`: TLS or no connection; the certificate is checked against `sslrootcert` when one is
///   given (as libpq does), else not at all;
/// - `verify-ca`: TLS, the certificate signed by `sslrootcert` (or the system's roots);
/// - `verify-full`: as `verify-ca`, and the certificate names the host of the URL. A host given as
///   an IP address cannot be named in TLS's server name: use the server's DNS name.
public struct PostgresURL: Sendable {
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var tlsMode: TLSMode
    /// The CA certificates (PEM) the server's certificate must be signed by.
    public var rootCertificatePath: String?

    /// Reads `url`; a mistake is ``StorageError/refused(_:)`` with a message that never repeats the
    /// URL (it may hold a password).
    public init(_ url: String) throws {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty
        else {
            throw StorageError.refused("ATELIER_DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.user ?? "postgres"
        self.password = components.password
        self.database = components.path.count > 1 ? String(components.path.dropFirst()) : nil
        self.tlsMode = .prefer
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = TLSMode(rawValue: value) else {
                    throw StorageError.refused(
                        "sslmode in ATELIER_DATABASE_URL must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", ")); it is \(Self.shown(value))"
                    )
                }
                tlsMode = mode
            case "sslrootcert":
                guard !value.isEmpty else { throw StorageError.refused("sslrootcert in ATELIER_DATABASE_URL names no file") }
                rootCertificatePath = value
            default:
                throw StorageError.refused(
                    "ATELIER_DATABASE_URL has a parameter Atelier does not know: \(Self.shown(item.name)) (it knows sslmode and sslrootcert)"
                )
            }
        }
        if rootCertificatePath != nil, [.disable, .allow, .prefer].contains(tlsMode) {
            throw StorageError.refused(
                "sslrootcert in ATELIER_DATABASE_URL is only used with sslmode=require, verify-ca or verify-full; here sslmode is \(tlsMode.rawValue)"
            )
        }
    }

    /// The TLS settings of every connection; reads `sslrootcert` now, so a missing or unreadable file
    /// stops the start with its name rather than failing each connection later.
    public func tlsConfiguration() throws -> TLSConfiguration? {
        guard tlsMode != .disable else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let path = rootCertificatePath {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMFile(path)
            } catch {
                throw StorageError.refused("sslrootcert \(path) cannot be read as PEM certificates: \(error)")
            }
            guard !certificates.isEmpty else { throw StorageError.refused("sslrootcert \(path) holds no certificate") }
            configuration.trustRoots = .certificates(certificates)
        }
        switch tlsMode {
        case .disable, .allow, .prefer: configuration.certificateVerification = .none
        case .require: configuration.certificateVerification = rootCertificatePath == nil ? .none : .noHostnameVerification
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        return configuration
    }

    /// The pool's configuration.
    func clientConfiguration() throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch (tlsMode, try tlsConfiguration()) {
            case let (.allow, configuration?), let (.prefer, configuration?): .prefer(configuration)
            case let (_, configuration?): .require(configuration)
            case (_, nil): .disable
            }
        return PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// The configuration of one connection outside the pool (the probe at start).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch (tlsMode, try tlsConfiguration().map { try NIOSSLContext(configuration: $0) }) {
            case let (.allow, context?), let (.prefer, context?): .prefer(context)
            case let (_, context?): .require(context)
            case (_, nil): .disable
            }
        return PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    /// At most 40 characters of a value from the URL, for a message.
    private static func shown(_ value: String) -> String {
        "\"\(value.prefix(40))\(value.count > 40 ? "…" : "")\""
    }
}
