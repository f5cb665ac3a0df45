/**
 * Schema migrations, applied in order inside one transaction each. A migration is
 * never edited once shipped: add a new one instead, so a data dir written by an
 * older build upgrades in place.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL) STRICT;

      CREATE TABLE certificates (
        arn TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        certificate_der BLOB NOT NULL,
        chain_pem TEXT,
        key_ciphertext BLOB NOT NULL,
        key_type TEXT NOT NULL,
        key_bits INTEGER NOT NULL,
        subject TEXT NOT NULL,
        issuer TEXT NOT NULL,
        serial TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        not_before INTEGER NOT NULL,
        not_after INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        imported_at INTEGER NOT NULL,
        tags TEXT NOT NULL DEFAULT '{}'
      ) STRICT;
      CREATE INDEX certificates_account ON certificates (account, arn);

      CREATE TABLE profiles (
        account TEXT NOT NULL,
        name TEXT NOT NULL,
        profile_version TEXT NOT NULL,
        platform_id TEXT NOT NULL,
        certificate_arn TEXT,
        validity_value INTEGER NOT NULL,
        validity_type TEXT NOT NULL,
        overrides TEXT,
        signing_parameters TEXT,
        tags TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        canceled_at INTEGER,
        revoked_effective_from INTEGER,
        revoked_at INTEGER,
        revoked_by TEXT,
        revoked_reason TEXT,
        policy_revision TEXT,
        PRIMARY KEY (account, name)
      ) STRICT;

      CREATE TABLE permissions (
        account TEXT NOT NULL,
        profile_name TEXT NOT NULL,
        statement_id TEXT NOT NULL,
        action TEXT NOT NULL,
        principal TEXT NOT NULL,
        profile_version TEXT,
        seq INTEGER NOT NULL,
        PRIMARY KEY (account, profile_name, statement_id),
        FOREIGN KEY (account, profile_name) REFERENCES profiles (account, name)
      ) STRICT;

      CREATE TABLE buckets (
        account TEXT NOT NULL,
        name TEXT NOT NULL,
        versioning TEXT,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      ) STRICT;

      CREATE TABLE objects (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        bucket TEXT NOT NULL,
        key TEXT NOT NULL,
        version_id TEXT NOT NULL,
        file TEXT NOT NULL,
        offset INTEGER NOT NULL,
        etag TEXT NOT NULL,
        size INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        FOREIGN KEY (account, bucket) REFERENCES buckets (account, name)
      ) STRICT;
      CREATE UNIQUE INDEX objects_version ON objects (account, bucket, key, version_id);
      CREATE INDEX objects_key ON objects (account, bucket, key, seq);
      CREATE INDEX objects_file ON objects (file);

      CREATE TABLE jobs (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id TEXT NOT NULL UNIQUE,
        owner TEXT NOT NULL,
        invoker TEXT NOT NULL,
        requested_by TEXT NOT NULL,
        client_token TEXT,
        profile_name TEXT NOT NULL,
        profile_version TEXT NOT NULL,
        platform_id TEXT NOT NULL,
        platform_display_name TEXT NOT NULL,
        certificate_arn TEXT,
        overrides TEXT,
        signing_parameters TEXT,
        source_bucket TEXT,
        source_key TEXT,
        source_version TEXT,
        dest_bucket TEXT,
        dest_prefix TEXT,
        signed_key TEXT,
        signed_version TEXT,
        status TEXT NOT NULL,
        status_reason TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        completed_at INTEGER,
        signature_expires_at INTEGER,
        revoked_at INTEGER,
        revoked_by TEXT,
        revoked_reason TEXT
      ) STRICT;
      CREATE UNIQUE INDEX jobs_token ON jobs (invoker, client_token) WHERE client_token IS NOT NULL;
      CREATE INDEX jobs_owner ON jobs (owner, seq);
      CREATE INDEX jobs_invoker ON jobs (invoker, seq);
    `,
  },
  {
    version: 2,
    name: 'signer-managed keys',
    sql: `
      CREATE TABLE managed_ca (
        region TEXT NOT NULL,
        account TEXT NOT NULL,
        root_der BLOB NOT NULL,
        root_key BLOB NOT NULL,
        intermediate_der BLOB NOT NULL,
        intermediate_key BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (region, account)
      ) STRICT;

      CREATE TABLE profile_keys (
        account TEXT NOT NULL,
        profile_name TEXT NOT NULL,
        profile_version TEXT NOT NULL,
        certificate_der BLOB NOT NULL,
        key_ciphertext BLOB NOT NULL,
        not_after INTEGER NOT NULL,
        PRIMARY KEY (account, profile_name, profile_version)
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'keys in a PKCS#11 token',
    // A certificate's key is either sealed here or named by the URI of a key in a token, never
    // both: SQLite cannot drop NOT NULL in place, so the table is rebuilt (its index with it).
    sql: `
      CREATE TABLE certificates_v3 (
        arn TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        certificate_der BLOB NOT NULL,
        chain_pem TEXT,
        key_ciphertext BLOB,
        pkcs11_uri TEXT,
        key_type TEXT NOT NULL,
        key_bits INTEGER NOT NULL,
        subject TEXT NOT NULL,
        issuer TEXT NOT NULL,
        serial TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        not_before INTEGER NOT NULL,
        not_after INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        imported_at INTEGER NOT NULL,
        tags TEXT NOT NULL DEFAULT '{}',
        CHECK ((key_ciphertext IS NULL) <> (pkcs11_uri IS NULL))
      ) STRICT;
      INSERT INTO certificates_v3 (arn, account, certificate_der, chain_pem, key_ciphertext, key_type, key_bits, subject, issuer, serial, sha256, not_before, not_after, created_at, imported_at, tags)
        SELECT arn, account, certificate_der, chain_pem, key_ciphertext, key_type, key_bits, subject, issuer, serial, sha256, not_before, not_after, created_at, imported_at, tags FROM certificates;
      DROP TABLE certificates;
      ALTER TABLE certificates_v3 RENAME TO certificates;
      CREATE INDEX certificates_account ON certificates (account, arn);
    `,
  },
  {
    version: 4,
    name: 'transparency log',
    sql: `
      CREATE TABLE audit_entries (
        seq INTEGER PRIMARY KEY,
        entry BLOB NOT NULL,
        leaf_hash BLOB NOT NULL,
        job_id TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX audit_entries_job ON audit_entries (job_id) WHERE job_id IS NOT NULL;

      CREATE TABLE audit_checkpoints (
        size INTEGER PRIMARY KEY,
        root BLOB NOT NULL,
        note TEXT NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'IAM users, keys, groups, policies, roles and STS sessions',
    // IAM names are unique without regard to case (COLLATE NOCASE) but kept as written.
    // Secrets (access keys', sessions') are sealed under the master key like private keys.
    sql: `
      CREATE TABLE iam_users (
        account TEXT NOT NULL,
        name TEXT NOT NULL COLLATE NOCASE,
        user_id TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      ) STRICT;

      CREATE TABLE iam_access_keys (
        access_key_id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        user_name TEXT NOT NULL COLLATE NOCASE,
        secret_ciphertext BLOB NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('Active', 'Inactive')),
        created_at INTEGER NOT NULL,
        FOREIGN KEY (account, user_name) REFERENCES iam_users (account, name)
      ) STRICT;
      CREATE INDEX iam_access_keys_user ON iam_access_keys (account, user_name);

      CREATE TABLE iam_groups (
        account TEXT NOT NULL,
        name TEXT NOT NULL COLLATE NOCASE,
        group_id TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      ) STRICT;

      CREATE TABLE iam_group_members (
        account TEXT NOT NULL,
        group_name TEXT NOT NULL COLLATE NOCASE,
        user_name TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (account, group_name, user_name),
        FOREIGN KEY (account, group_name) REFERENCES iam_groups (account, name),
        FOREIGN KEY (account, user_name) REFERENCES iam_users (account, name)
      ) STRICT;
      CREATE INDEX iam_group_members_user ON iam_group_members (account, user_name);

      CREATE TABLE iam_roles (
        account TEXT NOT NULL,
        name TEXT NOT NULL COLLATE NOCASE,
        role_id TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        trust_policy TEXT NOT NULL,
        description TEXT,
        max_session_duration INTEGER NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      ) STRICT;

      CREATE TABLE iam_inline_policies (
        account TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('user', 'group', 'role')),
        entity TEXT NOT NULL COLLATE NOCASE,
        name TEXT NOT NULL COLLATE NOCASE,
        document TEXT NOT NULL,
        PRIMARY KEY (account, kind, entity, name)
      ) STRICT;

      CREATE TABLE iam_policies (
        account TEXT NOT NULL,
        name TEXT NOT NULL COLLATE NOCASE,
        policy_id TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        description TEXT,
        default_version TEXT NOT NULL,
        next_version INTEGER NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (account, name)
      ) STRICT;

      CREATE TABLE iam_policy_versions (
        account TEXT NOT NULL,
        policy_name TEXT NOT NULL COLLATE NOCASE,
        version_id TEXT NOT NULL,
        document TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (account, policy_name, version_id),
        FOREIGN KEY (account, policy_name) REFERENCES iam_policies (account, name)
      ) STRICT;

      CREATE TABLE iam_attachments (
        account TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('user', 'group', 'role')),
        entity TEXT NOT NULL COLLATE NOCASE,
        policy_name TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (account, kind, entity, policy_name),
        FOREIGN KEY (account, policy_name) REFERENCES iam_policies (account, name)
      ) STRICT;
      CREATE INDEX iam_attachments_policy ON iam_attachments (account, policy_name);

      CREATE TABLE iam_sessions (
        access_key_id TEXT PRIMARY KEY,
        account TEXT NOT NULL,
        role_name TEXT NOT NULL COLLATE NOCASE,
        role_id TEXT NOT NULL,
        session_name TEXT NOT NULL,
        secret_ciphertext BLOB NOT NULL,
        token_sha256 TEXT NOT NULL,
        session_policy TEXT,
        expires_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX iam_sessions_expiry ON iam_sessions (expires_at);

      -- Bumped by every IAM write: a process's cache of resolved keys and policies is good while it holds.
      CREATE TABLE iam_generation (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL) STRICT;
      INSERT INTO iam_generation (id, n) VALUES (1, 0);
    `,
  },
  {
    version: 6,
    name: 'IAM permissions boundaries of users and roles',
    // The boundary is kept as the policy's ARN, as IAM answers it (GetUser, GetRole); the policy
    // cannot be deleted while it is one (DeletePolicy: DeleteConflict), so the ARN always resolves.
    sql: `
      ALTER TABLE iam_users ADD COLUMN permissions_boundary TEXT;
      ALTER TABLE iam_roles ADD COLUMN permissions_boundary TEXT;
      CREATE INDEX iam_users_boundary ON iam_users (account, permissions_boundary);
      CREATE INDEX iam_roles_boundary ON iam_roles (account, permissions_boundary);
    `,
  },
];
