import Schedule

/// A rule's `Schedule=` (systemd calendar event) is what the scheduler runs on.
extension CalendarSpec: ScheduleSource {}
