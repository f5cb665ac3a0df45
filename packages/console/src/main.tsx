/** The console's shell: sign-in, then the AWS-console layout with one page per route. */
import '@cloudscape-design/global-styles/index.css';
import './console.css';
import AppLayout from '@cloudscape-design/components/app-layout';
import SideNavigation from '@cloudscape-design/components/side-navigation';
import TopNavigation from '@cloudscape-design/components/top-navigation';
import { useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { makeClients } from './clients.js';
import { href, useRoute } from './route.js';
import { clearSession, loadSession, type Session } from './session.js';
import { SignIn } from './pages/sign-in.js';
import { ProfilesPage } from './pages/profiles.js';
import { CreateProfilePage } from './pages/create-profile.js';
import { ProfileDetailsPage } from './pages/profile-details.js';
import { JobsPage } from './pages/jobs.js';
import { StartJobPage } from './pages/start-job.js';
import { JobDetailsPage } from './pages/job-details.js';
import { PlatformsPage } from './pages/platforms.js';
import type { Clients } from './clients.js';

function Page({ route, clients }: { route: string[]; clients: Clients }) {
  const [section, id] = route;
  if (section === 'profiles' && id === 'create') return <CreateProfilePage clients={clients} />;
  if (section === 'profiles' && id) return <ProfileDetailsPage clients={clients} name={id} />;
  if (section === 'jobs' && id === 'start') return <StartJobPage clients={clients} />;
  if (section === 'jobs' && id) return <JobDetailsPage clients={clients} jobId={id} />;
  if (section === 'jobs') return <JobsPage clients={clients} />;
  if (section === 'platforms') return <PlatformsPage clients={clients} />;
  return <ProfilesPage clients={clients} />;
}

function App() {
  const [session, setSession] = useState<Session | undefined>(() => loadSession());
  const route = useRoute();
  const clients = useMemo(() => (session ? makeClients(session) : undefined), [session]);
  const top = (
    <TopNavigation
      identity={{ href: href('profiles'), title: 'fwsign · Signer' }}
      utilities={
        session
          ? [
              { type: 'button', text: `${session.accessKeyId} · ${session.region}` },
              {
                type: 'button',
                text: 'Sign out',
                onClick: () => {
                  clearSession();
                  setSession(undefined);
                },
              },
            ]
          : []
      }
    />
  );
  if (!session || !clients)
    return (
      <>
        {top}
        <SignIn onSignedIn={setSession} />
      </>
    );
  const active = href(route[0] ?? 'profiles');
  return (
    <>
      <div id="top-nav">{top}</div>
      <AppLayout
        headerSelector="#top-nav"
        toolsHide
        navigation={
          <SideNavigation
            header={{ href: href('profiles'), text: 'Signer' }}
            activeHref={active}
            items={[
              { type: 'link', text: 'Signing profiles', href: href('profiles') },
              { type: 'link', text: 'Signing jobs', href: href('jobs') },
              { type: 'link', text: 'Signing platforms', href: href('platforms') },
            ]}
          />
        }
        content={<Page route={route} clients={clients} />}
      />
    </>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
