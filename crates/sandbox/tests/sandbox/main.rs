//! The sandbox over real loopback HTTP, one module per provider plus faults and control.

mod atrip;
mod common;
mod control;
mod faults;
mod heipay;
mod holidayextras;
mod profile;
mod travelport;
