import AWSConnectionsAWS
import AWSConnectionsCore
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `setup` and `verify` end to end: the real router and store, AWS played by moto's server
/// with IAM authentication on (through the launcher that corrects moto to AWS's behaviour).
@Suite("setup and verify against moto")
struct VerifyTests {
    @Test("the template from setup passes cfn-lint, deploys on moto, and makes a role verify reports verified")
    func setupTemplateDeploysAndVerifies() async throws {
        let (moto, principal) = try await SharedMoto.authenticated()
        let roleAccess = motoRoleAccess(principal: principal, endpoint: moto.endpoint)
        try await withRoleApp(.sqlite, roleAccess: roleAccess) { world, client in
            let bucket = uniqueName("media")
            _ = try await moto.fixture("bucket", ["name": bucket, "credentials": principal.fixtureCredentials])
            _ = try await moto.fixture(
                "put",
                ["bucket": bucket, "key": "videos/intro.mp4", "body_b64": Data("video".utf8).base64EncodedString(),
                 "credentials": principal.fixtureCredentials])
            let connection = try await client.createMotoConnection(key: world.alpha, roleName: uniqueName("reader"))
            let id = try #require(connection["connectionId"] as? String)

            let setup = try await client.send(.get, "\(collectionPath)/\(id)/setup?bucket=\(bucket)", key: world.alpha)
            #expect(setup.status == .ok)
            let body = try setup.json()
            #expect(body["principalArn"] as? String == principal.arn)
            #expect(body["externalId"] as? String == connection["externalId"] as? String)
            let template = try #require(body["cloudFormationTemplate"] as? [String: Any])
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(uniqueName("template")).json")
            try JSONSerialization.data(withJSONObject: template).write(to: path)
            defer { try? FileManager.default.removeItem(at: path) }
            // cfn-lint exits non-zero on any error it finds; its output is in the failure.
            _ = try await runProcess(["/usr/bin/env", "cfn-lint", "--", path.path])

            let stack = try await moto.fixture(
                "deploy",
                ["stack": uniqueName("stack"), "template_path": path.path, "credentials": principal.fixtureCredentials])
            let outputs = try #require(stack["outputs"] as? [String: String])
            #expect(outputs["RoleArn"] == connection["roleArn"] as? String)

            let verify = try await client.verify(
                key: world.alpha, id: id, body: #"{"bucket":"\#(bucket)","key":"videos/intro.mp4"}"#)
            #expect(verify.status == .ok)
            let result = try verify.json()
            let byStep = steps(of: result)
            #expect(result["status"] as? String == "verified", "\(verify.bodyText)")
            #expect(byStep["assume_role"]?.status == "ok")
            #expect(byStep["external_id_enforced"]?.status == "ok")
            #expect(byStep["external_id_enforced"]?.code == "AccessDenied")
            #expect(byStep["list_bucket"]?.status == "ok")
            #expect(byStep["read_object"]?.status == "ok")

            // Stored, and not a change of the connection: same version, no history entry.
            let stored = try await client.send(.get, "\(collectionPath)/\(id)/verification", key: world.alpha)
            #expect(try stored.json()["status"] as? String == "verified")
            #expect(try stored.json()["checkedDate"] as? String == result["checkedDate"] as? String)
            #expect(try await client.get(key: world.alpha, id: id).json()["version"] as? Int == 1)
        }
    }

    /// Creates a connection for a role made after it (the trust policy needs its external id),
    /// then verifies it with `body`.
    private func verifyResult(
        trustedPrincipal: String? = nil, enforceExternalID: Bool = true, permissionsOn bucket: String?,
        createBucket: Bool = true, body: @escaping @Sendable (String) -> String
    ) async throws -> [String: Any] {
        let (moto, principal) = try await SharedMoto.authenticated()
        let roleAccess = motoRoleAccess(principal: principal, endpoint: moto.endpoint)
        let holder = ResultHolder()
        try await withRoleApp(.sqlite, roleAccess: roleAccess) { world, client in
            let bucketName = bucket ?? uniqueName("media")
            if createBucket {
                _ = try await moto.fixture("bucket", ["name": bucketName, "credentials": principal.fixtureCredentials])
            }
            let name = uniqueName("role")
            let connection = try await client.createMotoConnection(key: world.alpha, roleName: name)
            let id = try #require(connection["connectionId"] as? String)
            let externalID = try #require(connection["externalId"] as? String)
            var arguments: [String: Any] = [
                "name": name,
                "trust": trustPolicy(principal: trustedPrincipal ?? principal.arn, externalID: enforceExternalID ? externalID : nil),
                "credentials": principal.fixtureCredentials,
            ]
            if bucket != nil { arguments["permissions"] = readPolicy(bucket: bucketName) }
            _ = try await moto.fixture("role", arguments)
            let response = try await client.verify(key: world.alpha, id: id, body: body(bucketName))
            #expect(response.status == .ok)
            await holder.set(response.bodyText)
        }
        let text = await holder.value
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("a trust policy without the external-id condition fails external_id_enforced")
    func externalIDNotEnforced() async throws {
        let result = try await verifyResult(enforceExternalID: false, permissionsOn: uniqueName("media")) { _ in "{}" }
        let byStep = steps(of: result)
        #expect(result["status"] as? String == "failed")
        #expect(byStep["assume_role"]?.status == "ok")
        #expect(byStep["external_id_enforced"]?.status == "failed")
        #expect(byStep["list_bucket"]?.status == "skipped")
    }

    @Test("a role trusting another principal fails assume_role with AccessDenied, the rest skipped")
    func wrongPrincipal() async throws {
        let result = try await verifyResult(
            trustedPrincipal: "arn:aws:iam::\(motoAccount):user/someone-else", permissionsOn: uniqueName("media")
        ) { bucket in #"{"bucket":"\#(bucket)"}"# }
        let byStep = steps(of: result)
        #expect(result["status"] as? String == "failed")
        #expect(byStep["assume_role"]?.status == "failed")
        #expect(byStep["assume_role"]?.code == "AccessDenied")
        #expect(byStep["external_id_enforced"]?.status == "skipped")
        #expect(byStep["list_bucket"]?.status == "skipped")
        #expect(byStep["read_object"]?.status == "skipped")
    }

    @Test("a bucket that does not exist fails list_bucket with NoSuchBucket")
    func missingBucket() async throws {
        let result = try await verifyResult(permissionsOn: uniqueName("media"), createBucket: false) { bucket in
            #"{"bucket":"\#(bucket)"}"#
        }
        #expect(steps(of: result)["list_bucket"]?.status == "failed")
        #expect(steps(of: result)["list_bucket"]?.code == "NoSuchBucket")
    }

    @Test("a role without S3 permissions fails list_bucket with AccessDenied")
    func noS3Permission() async throws {
        let result = try await verifyResult(permissionsOn: nil) { bucket in #"{"bucket":"\#(bucket)"}"# }
        let byStep = steps(of: result)
        #expect(byStep["assume_role"]?.status == "ok")
        #expect(byStep["list_bucket"]?.status == "failed")
        #expect(byStep["list_bucket"]?.code == "AccessDenied")
    }

    @Test("a key that does not exist fails read_object with NoSuchKey")
    func missingKey() async throws {
        let result = try await verifyResult(permissionsOn: uniqueName("media")) { bucket in
            #"{"bucket":"\#(bucket)","key":"no/such/object.mp4"}"#
        }
        let byStep = steps(of: result)
        #expect(byStep["list_bucket"]?.status == "ok")
        #expect(byStep["read_object"]?.status == "failed")
        #expect(byStep["read_object"]?.code == "NoSuchKey")
    }

    @Test("STS on a closed port fails assume_role as unreachable, at once")
    func stsUnreachable() async throws {
        let (moto, principal) = try await SharedMoto.authenticated()
        let closed = try MisbehavingEndpoint.closedPort()
        let roleAccess = motoRoleAccess(
            principal: principal, endpoint: moto.endpoint, stsEndpoint: "http://127.0.0.1:\(closed)")
        try await withRoleApp(.sqlite, roleAccess: roleAccess) { world, client in
            let id = try #require(try await client.createMotoConnection(key: world.alpha, roleName: "any")["connectionId"] as? String)
            let result = try await client.verify(key: world.alpha, id: id).json()
            #expect(result["status"] as? String == "failed")
            #expect(steps(of: result)["assume_role"]?.status == "failed")
            #expect(steps(of: result)["assume_role"]?.code == "unreachable")
        }
    }

    @Test("STS that never answers fails assume_role as timeout within the timeout, and the server keeps answering")
    func stsSilent() async throws {
        let (moto, principal) = try await SharedMoto.authenticated()
        let silent = try MisbehavingEndpoint.silentListener()
        defer { close(silent.descriptor) }
        let roleAccess = motoRoleAccess(
            principal: principal, endpoint: moto.endpoint, stsEndpoint: "http://127.0.0.1:\(silent.port)",
            timeout: .seconds(1))
        try await withRoleApp(.sqlite, roleAccess: roleAccess) { world, client in
            let id = try #require(try await client.createMotoConnection(key: world.alpha, roleName: "any")["connectionId"] as? String)
            async let verify = client.verify(key: world.alpha, id: id)
            // Meanwhile other requests are answered.
            #expect(try await client.get(key: world.alpha, id: id).status == .ok)
            let result = try await verify.json()
            let step = try #require((result["steps"] as? [[String: Any]])?.first)
            #expect(step["status"] as? String == "failed")
            #expect(step["code"] as? String == "timeout")
            // Within the timeout, give or take the scheduler: not an unbounded wait.
            #expect((step["durationMs"] as? Int ?? .max) < 5000)
        }
    }

    @Test("without a principal ARN, setup, verify and presign answer 503 aws_not_configured; verification works")
    func notConfigured() async throws {
        try await withRoleApp(.sqlite, roleAccess: UnconfiguredRoleAccess()) { world, client in
            let media = try await mediaKey(world)
            let id = try #require(try await client.createMotoConnection(key: world.alpha, roleName: "any")["connectionId"] as? String)
            let setup = try await client.send(.get, "\(collectionPath)/\(id)/setup", key: world.alpha)
            #expect(setup.status == .serviceUnavailable)
            #expect(try setup.problemCode() == "aws_not_configured")
            let detail = try setup.json()["detail"] as? String ?? ""
            #expect(detail.contains("principal ARN"))
            #expect(try await client.verify(key: world.alpha, id: id).status == .serviceUnavailable)
            let presign = try await client.presign(key: media, id: id, bucket: "media", objectKey: "a.mp4")
            #expect(try presign.problemCode() == "aws_not_configured")
            let verification = try await client.send(.get, "\(collectionPath)/\(id)/verification", key: world.alpha)
            #expect(verification.status == .ok)
            #expect(try verification.json()["status"] as? String == "unverified")
        }
    }
}

/// Carries a result out of a `@Sendable` closure.
actor ResultHolder {
    private(set) var value = ""
    func set(_ value: String) { self.value = value }
}
