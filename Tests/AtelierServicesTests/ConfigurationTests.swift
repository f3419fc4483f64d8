import AtelierDomain
import AtelierServices
import Testing

@Suite("Configuration")
struct ConfigurationTests {
    @Test("every invalid setting is reported together, and an invalid one never hides the settings after it")
    func everyProblemReported() throws {
        let environment = [
            "ATELIER_DEMO": "yes",
            "ATELIER_DATABASE_URL": "mysql://somewhere/atelier",
            "ATELIER_PROMISE_DAYS": "0",
            "ATELIER_WEBHOOK_ALLOW_PRIVATE": "on",
            "ATELIER_LOG_LEVEL": "loud",
            "ATELIER_FAULT_ORDER_READ_ERRORS": "1.5",
        ]
        do {
            _ = try AtelierConfiguration.fromEnvironment(environment)
            Issue.record("an invalid configuration was accepted")
        } catch let error as ConfigurationError {
            #expect(error.problems.count == 6, "\(error.problems)")
            for name in environment.keys {
                #expect(error.problems.contains { $0.hasPrefix(name) }, "\(name) is not reported: \(error.problems)")
            }
            #expect(!error.description.contains("mysql://somewhere"), "the database URL may hold a password")
        }
    }

    @Test("a PostgreSQL URL with a wrong sslmode or an unknown parameter is refused at start, its password never shown")
    func databaseURLParameters() {
        for (query, expected) in [
            ("sslmode=on", "sslmode in ATELIER_DATABASE_URL must be one of disable, allow, prefer, require, verify-ca, verify-full"),
            ("ssl=true", "ATELIER_DATABASE_URL has a parameter Atelier does not know: \"ssl\""),
            ("sslmode=prefer&sslrootcert=ca.pem", "sslrootcert in ATELIER_DATABASE_URL is only used with sslmode=require"),
        ] {
            let url = "postgres://atelier:s3cret-pw@db:5432/atelier?\(query)"
            do {
                _ = try AtelierConfiguration.fromEnvironment(["ATELIER_DATABASE_URL": url])
                Issue.record("\(query) was accepted")
            } catch let error as ConfigurationError {
                #expect(error.problems.contains { $0.contains(expected) }, "\(error.problems)")
                #expect(!error.description.contains("s3cret-pw"))
            } catch {
                Issue.record("\(error)")
            }
        }
        let good = try? AtelierConfiguration.fromEnvironment([
            "ATELIER_DATABASE_URL": "postgres://atelier@db:5432/atelier?sslmode=verify-full&sslrootcert=/etc/atelier/ca.pem"
        ])
        #expect(good?.databaseURL != nil)
    }

    @Test("settings after an on/off one are read")
    func settingsAfterAFlag() throws {
        let configuration = try AtelierConfiguration.fromEnvironment([
            "ATELIER_DEMO": "0", "ATELIER_DATABASE_URL": "postgres://atelier@db:5432/atelier", "ATELIER_PROMISE_DAYS": "9",
            "ATELIER_WEBHOOK_ALLOW_PRIVATE": "true", "ATELIER_LOG_LEVEL": "WARNING", "ATELIER_FAULT_ORDER_READ_ERRORS": "0.2",
        ])
        #expect(configuration.demoData == false)
        #expect(configuration.databaseURL?.value == "postgres://atelier@db:5432/atelier")
        #expect(configuration.stallPolicy.promise == 9 * 86_400)
        #expect(configuration.webhookPolicy.allowPrivateAddresses)
        #expect(configuration.logLevel == "warning")
        #expect(configuration.faultOrderReadErrors == 0.2)
        #expect(try AtelierConfiguration.fromEnvironment([:]).faultOrderReadErrors == 0, "the release drill's fault is off by default")
    }
}
