-- Craton schema, version 1. Timestamps are RFC 3339 UTC with milliseconds.
-- Every inventory object carries its project_id; ancestors above the direct parent are found
-- by joins, so moving a region to another cloud cannot leave stale copies behind.

CREATE TABLE projects (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id    TEXT NOT NULL REFERENCES projects(id),
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('root', 'admin', 'member')),
    token_sha256  TEXT NOT NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (project_id, name)
);
CREATE INDEX users_name ON users(name);

CREATE TABLE clouds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  TEXT NOT NULL REFERENCES projects(id),
    name        TEXT NOT NULL,
    note        TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (project_id, name)
);

CREATE TABLE regions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  TEXT NOT NULL REFERENCES projects(id),
    cloud_id    INTEGER NOT NULL REFERENCES clouds(id),
    name        TEXT NOT NULL,
    note        TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (cloud_id, name)
);
CREATE INDEX regions_project ON regions(project_id);

CREATE TABLE cells (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  TEXT NOT NULL REFERENCES projects(id),
    region_id   INTEGER NOT NULL REFERENCES regions(id),
    name        TEXT NOT NULL,
    note        TEXT,
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (region_id, name)
);
CREATE INDEX cells_project ON cells(project_id);

CREATE TABLE hosts (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   TEXT NOT NULL REFERENCES projects(id),
    region_id    INTEGER NOT NULL REFERENCES regions(id),
    cell_id      INTEGER REFERENCES cells(id),
    name         TEXT NOT NULL,
    ip_address   TEXT NOT NULL,
    device_type  TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1,
    note         TEXT,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (region_id, name)
);
CREATE INDEX hosts_project ON hosts(project_id);
CREATE INDEX hosts_cell ON hosts(cell_id);

CREATE TABLE host_labels (
    host_id  INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    label    TEXT NOT NULL,
    PRIMARY KEY (host_id, label)
);
CREATE INDEX host_labels_label ON host_labels(label);

CREATE TABLE networks (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id     TEXT NOT NULL REFERENCES projects(id),
    region_id      INTEGER NOT NULL REFERENCES regions(id),
    cell_id        INTEGER REFERENCES cells(id),
    name           TEXT NOT NULL,
    cidr           TEXT NOT NULL,
    gateway        TEXT,
    netmask        TEXT,
    ip_block_type  TEXT,
    nss            TEXT,
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (region_id, name)
);
CREATE INDEX networks_project ON networks(project_id);
CREATE INDEX networks_cell ON networks(cell_id);

CREATE TABLE network_devices (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id   TEXT NOT NULL REFERENCES projects(id),
    region_id    INTEGER NOT NULL REFERENCES regions(id),
    cell_id      INTEGER REFERENCES cells(id),
    name         TEXT NOT NULL,
    ip_address   TEXT NOT NULL,
    device_type  TEXT NOT NULL,
    active       INTEGER NOT NULL DEFAULT 1,
    model_name   TEXT,
    os_version   TEXT,
    note         TEXT,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (region_id, name)
);
CREATE INDEX network_devices_project ON network_devices(project_id);
CREATE INDEX network_devices_cell ON network_devices(cell_id);

-- Variables: one table per kind so each row has a real foreign key and goes with its owner.
-- `value` is the compact JSON text of the value (serde_json's canonical form), which is what
-- the `vars=key:value` filter compares against.
CREATE TABLE project_variables (
    owner_id  TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (owner_id, key)
);
CREATE TABLE cloud_variables (
    owner_id  INTEGER NOT NULL REFERENCES clouds(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (owner_id, key)
);
CREATE TABLE region_variables (
    owner_id  INTEGER NOT NULL REFERENCES regions(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (owner_id, key)
);
CREATE TABLE cell_variables (
    owner_id  INTEGER NOT NULL REFERENCES cells(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (owner_id, key)
);
CREATE TABLE host_variables (
    owner_id  INTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (owner_id, key)
);
CREATE TABLE network_variables (
    owner_id  INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (owner_id, key)
);
CREATE TABLE network_device_variables (
    owner_id  INTEGER NOT NULL REFERENCES network_devices(id) ON DELETE CASCADE,
    key       TEXT NOT NULL,
    value     TEXT NOT NULL,
    PRIMARY KEY (owner_id, key)
);
