//! The list filters the inventory kinds share, spelled once. In each kind's `SELECT`, `t` is the
//! kind's own table and `r` the region it belongs to.

use crate::domain::listing::{FilterSpec, FilterType};

const fn spec(param: &'static str, column: &'static str, ty: FilterType) -> FilterSpec {
    FilterSpec { param, column, ty }
}

pub const NAME: FilterSpec = spec("name", "t.name", FilterType::Text);
pub const PROJECT_ID: FilterSpec = spec("project_id", "t.project_id", FilterType::Text);
/// For kinds below a region, whose cloud is the region's.
pub const CLOUD_ID_OF_REGION: FilterSpec = spec("cloud_id", "r.cloud_id", FilterType::Integer);
pub const REGION_ID: FilterSpec = spec("region_id", "t.region_id", FilterType::Integer);
pub const CELL_ID: FilterSpec = spec("cell_id", "t.cell_id", FilterType::Integer);
pub const DEVICE_TYPE: FilterSpec = spec("device_type", "t.device_type", FilterType::Text);
pub const ACTIVE: FilterSpec = spec("active", "t.active", FilterType::Bool);
pub const IP_ADDRESS: FilterSpec = spec("ip_address", "t.ip_address", FilterType::Text);
