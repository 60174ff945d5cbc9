"""The metrics feature: conversion snapshots by programme and group, computed by a worker."""
