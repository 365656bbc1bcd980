from article6.states.views import home as deadlines

deadlines_ics = deadlines
