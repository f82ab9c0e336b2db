"""Standalone <-> server sync: commands, the server endpoint, file inventories and mergeable plugin records."""

from trixy_server.sync.commands import SyncReply, SyncRequest
from trixy_server.sync.config import SYNC_SERVER_SECTION
from trixy_server.sync.inventory import asset_inventory, file_sha256, model_inventory, plan, safe_relative
from trixy_server.sync.peers import ClientPeer, ServerPeer, declares_sync
from trixy_server.sync.records import MergeReport, Record, SyncedRecords, merge_pair
from trixy_server.sync.service import SYNC_CAPABILITY, SyncServerSettings, SyncService

__all__ = [
    "SYNC_CAPABILITY",
    "SYNC_SERVER_SECTION",
    "ClientPeer",
    "MergeReport",
    "Record",
    "ServerPeer",
    "SyncReply",
    "SyncRequest",
    "SyncServerSettings",
    "SyncService",
    "SyncedRecords",
    "asset_inventory",
    "declares_sync",
    "file_sha256",
    "merge_pair",
    "model_inventory",
    "plan",
    "safe_relative",
]
