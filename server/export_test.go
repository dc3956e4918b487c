package server

// HeartbeatEvery lets tests shorten the inspector stream's heartbeat.
var HeartbeatEvery = &heartbeatEvery
