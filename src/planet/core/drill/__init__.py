"""Lucky Drill: a daily draw of the jackpot among residents who paid Force to enter."""
