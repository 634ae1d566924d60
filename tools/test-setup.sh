#!/bin/sh
cargo xtask setup-docker --yes
